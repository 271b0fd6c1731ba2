// A group's Twilio numbers pointed at this service through the REST API (IncomingPhoneNumbers),
// and read back to say what is wrong: `npm run cli -- twilio connect|check`.
import type { Twilio } from 'twilio';
import { NotFoundError } from './errors.js';

/** The fields of an IncomingPhoneNumber this service sets (the SDK's names). */
export interface NumberSettings {
  smsUrl: string;
  smsMethod: string;
  smsFallbackUrl: string;
  smsFallbackMethod: string;
  voiceUrl: string;
  voiceMethod: string;
  voiceFallbackUrl: string;
  voiceFallbackMethod: string;
  statusCallback: string;
  statusCallbackMethod: string;
  /** an application SID makes Twilio ignore the URLs: it must be empty */
  smsApplicationSid: string;
  voiceApplicationSid: string;
}

export interface NumberChange {
  field: keyof NumberSettings;
  from: string;
  to: string;
}

/** What every number of the service should say, from PUBLIC_BASE_URL. Pure. */
export function wantedSettings(publicBaseUrl: string, fallbacks: { voice?: string; sms?: string } = {}): NumberSettings {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return {
    smsUrl: `${base}/twilio/sms`,
    smsMethod: 'POST',
    // by default the journal route: a text that the primary handler could not take is kept and
    // replayed; a static TwiML hosted elsewhere (public/sms-fallback.xml) is fetched with GET
    smsFallbackUrl: fallbacks.sms ?? `${base}/twilio/sms/fallback`,
    smsFallbackMethod: fallbacks.sms?.endsWith('.xml') ? 'GET' : 'POST',
    voiceUrl: `${base}/twilio/voice`,
    voiceMethod: 'POST',
    voiceFallbackUrl: fallbacks.voice ?? `${base}/voice-fallback.xml`,
    voiceFallbackMethod: 'GET',
    // the number's calls end there: each call's summary is written once it is over
    statusCallback: `${base}/twilio/voice/status`,
    statusCallbackMethod: 'POST',
    smsApplicationSid: '',
    voiceApplicationSid: '',
  };
}

const FIELDS = Object.keys(wantedSettings('https://x')) as (keyof NumberSettings)[];
const URL_FIELDS: (keyof NumberSettings)[] = ['smsUrl', 'smsFallbackUrl', 'voiceUrl', 'voiceFallbackUrl', 'statusCallback'];

/** Field by field, what differs between the number and what it should be. Pure. */
export function numberChanges(actual: Partial<Record<keyof NumberSettings, string | null>>, wanted: NumberSettings): NumberChange[] {
  return FIELDS.filter((f) => (actual[f] ?? '') !== wanted[f]).map((f) => ({ field: f, from: actual[f] ?? '', to: wanted[f] }));
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** What is wrong with a number's settings, in words an operator acts on. Pure. */
export function numberProblems(actual: Partial<Record<keyof NumberSettings, string | null>>, wanted: NumberSettings): string[] {
  const problems: string[] = [];
  const wantedHost = new URL(wanted.smsUrl).host;
  for (const f of URL_FIELDS) {
    const value = actual[f] ?? '';
    if (value.startsWith('http://')) problems.push(`${f} uses http (${value}): Twilio would send residents' messages unencrypted; use https`);
  }
  if (wanted.smsUrl.startsWith('http://')) problems.push(`PUBLIC_BASE_URL is http (${wanted.smsUrl}): set it to the https address Twilio reaches`);
  for (const f of ['smsApplicationSid', 'voiceApplicationSid'] as const) {
    if (actual[f]) problems.push(`${f} is ${actual[f]}: Twilio ignores the number's URLs while an application is set`);
  }
  for (const c of numberChanges(actual, wanted)) {
    if (c.field === 'smsApplicationSid' || c.field === 'voiceApplicationSid') continue;
    if (!c.from) {
      problems.push(`${c.field} is empty (should be ${c.to})`);
      continue;
    }
    const elsewhere = URL_FIELDS.includes(c.field) && hostOf(c.from) !== wantedHost;
    problems.push(`${c.field} is ${c.from}${elsewhere ? ' (points elsewhere)' : ''}; should be ${c.to}`);
  }
  return problems;
}

async function findNumber(client: Twilio, phone: string) {
  const [found] = await client.incomingPhoneNumbers.list({ phoneNumber: phone, limit: 1 });
  if (!found) throw new NotFoundError(`Twilio number ${phone} in this account (check TWILIO_ACCOUNT_SID, or the number's spelling)`);
  return found;
}

/** Sets the number's URLs to what they should be; returns what changed (nothing: already right). */
export async function connectNumber(client: Twilio, phone: string, wanted: NumberSettings): Promise<{ sid: string; changes: NumberChange[] }> {
  const current = await findNumber(client, phone);
  const changes = numberChanges(current, wanted);
  if (changes.length > 0) {
    await client.incomingPhoneNumbers(current.sid).update(Object.fromEntries(changes.map((c) => [c.field, c.to])));
  }
  return { sid: current.sid, changes };
}

/** Reads the number back: its problems (none: it is right). */
export async function checkNumber(client: Twilio, phone: string, wanted: NumberSettings): Promise<string[]> {
  return numberProblems(await findNumber(client, phone), wanted);
}
