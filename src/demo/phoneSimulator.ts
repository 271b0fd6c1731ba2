// A phone as Twilio would be one: texts and calls become signed webhooks with Twilio's usual
// parameters, posted to the running service; the TwiML answers are read back into what a person
// would hear and which keys they may press. A text is answered later, by the worker through Twilio
// (the stand-in in demo mode): its reply is asked of /dev/phone. Used by /dev/phone and `npm run phone`.
import crypto from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import twilio from 'twilio';
import type { ReplyState } from './replyWatch.js';

export interface SimulatorOptions {
  /** where the service listens (http://127.0.0.1:3000) */
  appUrl: string;
  /** the URL the service signs against (PUBLIC_BASE_URL) */
  publicBaseUrl: string;
  accountSid: string;
  authToken: string;
}

/** What a caller hears and can do after one exchange with the voice menu. */
export interface CallScreen {
  callSid: string;
  from: string;
  to: string;
  said: string[];
  /** keys (and speech) the menu waits for, and where the answer goes */
  gather: { actionUrl: string; input: string[]; numDigits?: number; finishOnKey?: string; timeoutUrl: string | null } | null;
  /** a recording the menu waits for (finish with #) */
  record: { actionUrl: string; callbackUrl: string | null; timeoutUrl: string | null } | null;
  /** the call is put through to a person */
  dial: { number: string; actionUrl: string | null } | null;
  ended: boolean;
}

export type CallInput = { digits: string } | { speech: string } | { timeout: true } | { recording: { seconds: number } } | { dialStatus: string };

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: true });

const sid = (prefix: string) => `${prefix}${crypto.randomBytes(16).toString('hex')}`;

function tagOf(node: Node): string {
  return Object.keys(node).find((k) => k !== ':@') ?? '';
}

function textOf(children: unknown): string {
  if (!Array.isArray(children)) return '';
  return (children as Node[]).map((c) => String(c['#text'] ?? '')).join('');
}

export function createPhoneSimulator(opts: SimulatorOptions) {
  const base = opts.publicBaseUrl.replace(/\/+$/, '');
  const appBase = opts.appUrl.replace(/\/+$/, '');

  /** POSTs a signed webhook to a public URL of the service, as Twilio does. */
  async function post(publicUrl: string, params: Record<string, string>): Promise<string> {
    const signature = twilio.getExpectedTwilioSignature(opts.authToken, publicUrl, params);
    const target = publicUrl.startsWith(base) ? `${appBase}${publicUrl.slice(base.length)}` : publicUrl;
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${publicUrl} answered ${res.status}: ${text.slice(0, 200)}`);
    return text;
  }

  /** Texts the service: the webhook only takes the text (an empty TwiML); the reply comes later. */
  async function sms(from: string, to: string, body: string): Promise<{ messageSid: string }> {
    const messageSid = sid('SM');
    const params = {
      MessageSid: messageSid, SmsSid: messageSid, SmsMessageSid: messageSid, AccountSid: opts.accountSid, MessagingServiceSid: '',
      From: from, To: to, Body: body, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
      FromCountry: 'FR', ToCountry: 'FR', FromCity: '', ToCity: '', FromZip: '', ToZip: '', FromState: '', ToState: '',
    };
    await post(`${base}/twilio/sms`, params);
    return { messageSid };
  }

  /**
   * The reply to a text as the worker sent it to Twilio (the stand-in), waiting up to `timeoutMs`;
   * null when the service has no /dev/phone (not in demo mode: the reply went to the real Twilio).
   */
  async function awaitReply(messageSid: string, timeoutMs: number): Promise<ReplyState | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // the service waits at most 10 s a request: ask again until our own deadline
      const waitMs = Math.max(0, Math.min(10_000, deadline - Date.now()));
      const res = await fetch(`${appBase}/dev/phone/api/reply?${new URLSearchParams({ messageSid, waitMs: String(waitMs) })}`);
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`/dev/phone/api/reply answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      const state = (await res.json()) as ReplyState;
      if (state.state !== 'waiting' || Date.now() >= deadline) return state;
    }
  }

  function callParams(screen: Pick<CallScreen, 'callSid' | 'from' | 'to'>): Record<string, string> {
    return {
      CallSid: screen.callSid, AccountSid: opts.accountSid, From: screen.from, To: screen.to, Caller: screen.from, Called: screen.to,
      CallStatus: 'in-progress', Direction: 'inbound', ApiVersion: '2010-04-01', FromCountry: 'FR', ToCountry: 'FR',
    };
  }

  /** Reads TwiML into a screen, following Redirects that come without a question first. */
  async function read(call: Pick<CallScreen, 'callSid' | 'from' | 'to'>, twiml: string, said: string[] = [], hops = 0): Promise<CallScreen> {
    const doc = parser.parse(twiml) as Node[];
    const verbs = ((doc.find((n) => tagOf(n) === 'Response')?.Response as Node[] | undefined) ?? []);
    const screen: CallScreen = { ...call, said, gather: null, record: null, dial: null, ended: false };
    for (const verb of verbs) {
      const tag = tagOf(verb);
      const attrs = verb[':@'] ?? {};
      if (tag === 'Say') said.push(textOf(verb.Say));
      else if (tag === 'Gather') {
        for (const inner of (verb.Gather as Node[]) ?? []) if (tagOf(inner) === 'Say') said.push(textOf(inner.Say));
        screen.gather = {
          actionUrl: attrs.action ?? '', input: (attrs.input ?? 'dtmf').split(' '), timeoutUrl: null,
          ...(attrs.numDigits ? { numDigits: Number(attrs.numDigits) } : {}), ...(attrs.finishOnKey ? { finishOnKey: attrs.finishOnKey } : {}),
        };
      } else if (tag === 'Record') {
        screen.record = { actionUrl: attrs.action ?? '', callbackUrl: attrs.recordingStatusCallback ?? null, timeoutUrl: null };
      } else if (tag === 'Dial') {
        screen.dial = { number: textOf(verb.Dial) || textOf(((verb.Dial as Node[]) ?? []).find((n) => tagOf(n) === 'Number')?.Number), actionUrl: attrs.action ?? null };
      } else if (tag === 'Redirect') {
        const url = textOf(verb.Redirect);
        // after a question, the Redirect is what happens if the caller does nothing
        if (screen.gather) screen.gather.timeoutUrl = url;
        else if (screen.record) screen.record.timeoutUrl = url;
        else if (hops < 10) return read(call, await post(url, callParams(call)), said, hops + 1);
      } else if (tag === 'Hangup') screen.ended = true;
    }
    if (!screen.gather && !screen.record && !screen.dial) screen.ended = true;
    return screen;
  }

  async function startCall(from: string, to: string): Promise<CallScreen> {
    const call = { callSid: sid('CA'), from, to };
    return read(call, await post(`${base}/twilio/voice`, { ...callParams(call), CallStatus: 'ringing' }));
  }

  /** Answers the current question: keys, words, silence, a recording or the end of a transfer. */
  async function answer(screen: CallScreen, input: CallInput, recordingUrl = `${base}/dev/phone/recording.wav`): Promise<CallScreen> {
    const params = callParams(screen);
    if ('digits' in input) {
      if (!screen.gather) throw new Error('the menu is not waiting for keys');
      return read(screen, await post(screen.gather.actionUrl, { ...params, Digits: input.digits }));
    }
    if ('speech' in input) {
      if (!screen.gather) throw new Error('the menu is not listening');
      return read(screen, await post(screen.gather.actionUrl, { ...params, SpeechResult: input.speech, Confidence: '0.9' }));
    }
    if ('timeout' in input) {
      const url = screen.gather?.timeoutUrl ?? screen.record?.timeoutUrl;
      if (!url) throw new Error('nothing to wait for');
      return read(screen, await post(url, params));
    }
    if ('recording' in input) {
      if (!screen.record) throw new Error('the menu is not recording');
      const recordingSid = sid('RE');
      const rec = { RecordingSid: recordingSid, RecordingUrl: recordingUrl, RecordingDuration: String(input.recording.seconds) };
      const next = await read(screen, await post(screen.record.actionUrl, { ...params, ...rec, Digits: '#' }));
      // Twilio then reports the recording as ready
      if (screen.record.callbackUrl) await post(screen.record.callbackUrl, { AccountSid: opts.accountSid, CallSid: screen.callSid, ...rec, RecordingStatus: 'completed', RecordingChannels: '1', RecordingSource: 'RecordVerb' });
      return next;
    }
    if (!screen.dial?.actionUrl) throw new Error('no transfer in progress');
    return read(screen, await post(screen.dial.actionUrl, { ...params, DialCallStatus: input.dialStatus }));
  }

  /** The call is over (the menu hung up, or the caller did): Twilio's call status callback, as the number's StatusCallback. */
  async function hangUp(call: Pick<CallScreen, 'callSid' | 'from' | 'to'>): Promise<void> {
    await post(`${base}/twilio/voice/status`, { ...callParams(call), CallStatus: 'completed' });
  }

  return { sms, awaitReply, startCall, answer, hangUp, post };
}

export type PhoneSimulator = ReturnType<typeof createPhoneSimulator>;
