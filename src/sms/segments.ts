// How many SMS segments a text costs, and in which encoding, as Twilio counts them
// (sms-segments-calculator). Pure.
import { SegmentedMessage } from 'sms-segments-calculator';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  segments: number;
}

export function countSegments(text: string): SegmentCount {
  const message = new SegmentedMessage(text);
  return { encoding: message.encodingName === 'GSM-7' ? 'GSM-7' : 'UCS-2', segments: Math.max(1, message.segmentsCount) };
}
