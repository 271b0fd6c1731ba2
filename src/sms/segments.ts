// How many SMS segments a text costs, and in which encoding, as Twilio counts them
// (sms-segments-calculator). Pure.
import { SegmentedMessage } from 'sms-segments-calculator';
import { GSM7, GSM7_EXTENSION } from '../i18n/gsm7.js';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  segments: number;
}

/**
 * GSM-7 texts (all our own, once through toGsm7) are counted here, in septets: 160 in one SMS,
 * 153 a part beyond, an extension character (€ [ ] …) never split across two parts. Anything else
 * goes to the library, which knows UCS-2's surrogate pairs.
 */
function gsm7Segments(text: string): number | null {
  let septets = 0;
  for (const ch of text) {
    if (GSM7_EXTENSION.has(ch)) septets += 2;
    else if (GSM7.has(ch)) septets += 1;
    else return null;
  }
  if (septets <= 160) return 1;
  let segments = 1;
  let used = 0;
  for (const ch of text) {
    const size = GSM7_EXTENSION.has(ch) ? 2 : 1;
    if (used + size > 153) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}

export function countSegments(text: string): SegmentCount {
  const gsm = gsm7Segments(text);
  if (gsm !== null) return { encoding: 'GSM-7', segments: gsm };
  const message = new SegmentedMessage(text);
  return { encoding: message.encodingName === 'GSM-7' ? 'GSM-7' : 'UCS-2', segments: Math.max(1, message.segmentsCount) };
}
