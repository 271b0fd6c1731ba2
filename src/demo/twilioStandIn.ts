// A local stand-in for the Twilio REST endpoints the service uses (Messages, Calls, the DELETE of
// Messages and Recordings for retention and erasure, and the IncomingPhoneNumbers that
// `twilio connect` configures), so demo mode
// and benchmarks run the production code path: same JSON shapes, SIDs, basic auth, Twilio's error
// codes for bad input, and signed status callbacks (sent, then delivered) to the StatusCallback URL.
import crypto from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import twilio from 'twilio';
import type { Logger } from '../platform/logger.js';

export interface StandInRecord {
  kind: 'message' | 'call';
  sid: string;
  to: string;
  from: string;
  body: string;
  at: string;
}

export interface StandInDeletion {
  kind: 'message' | 'recording';
  sid: string;
  at: string;
}

export interface StandInOptions {
  accountSid: string;
  authToken: string;
  log: Logger;
  /** send status callbacks (default true) */
  callbacks?: boolean;
  callbackDelayMs?: number;
  /** keep at most this many records in memory */
  keep?: number;
  /** phone numbers (E.164) this account owns, as IncomingPhoneNumbers */
  numbers?: string[];
}

/** An IncomingPhoneNumber as Twilio stores it (the fields `twilio connect` reads and writes). */
export interface StandInNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  smsUrl: string;
  smsMethod: string;
  smsFallbackUrl: string;
  smsFallbackMethod: string;
  smsApplicationSid: string;
  voiceUrl: string;
  voiceMethod: string;
  voiceFallbackUrl: string;
  voiceFallbackMethod: string;
  voiceApplicationSid: string;
  statusCallback: string;
  statusCallbackMethod: string;
  dateCreated: string;
  dateUpdated: string;
}

/** Form field (Twilio's API) → field of the resource. */
const NUMBER_FIELDS = {
  FriendlyName: 'friendlyName', SmsUrl: 'smsUrl', SmsMethod: 'smsMethod', SmsFallbackUrl: 'smsFallbackUrl', SmsFallbackMethod: 'smsFallbackMethod',
  SmsApplicationSid: 'smsApplicationSid', VoiceUrl: 'voiceUrl', VoiceMethod: 'voiceMethod', VoiceFallbackUrl: 'voiceFallbackUrl',
  VoiceFallbackMethod: 'voiceFallbackMethod', VoiceApplicationSid: 'voiceApplicationSid', StatusCallback: 'statusCallback', StatusCallbackMethod: 'statusCallbackMethod',
} as const satisfies Record<string, keyof StandInNumber>;
const URL_FIELDS = new Set(['SmsUrl', 'SmsFallbackUrl', 'VoiceUrl', 'VoiceFallbackUrl', 'StatusCallback']);
const METHOD_FIELDS = new Set(['SmsMethod', 'SmsFallbackMethod', 'VoiceMethod', 'VoiceFallbackMethod', 'StatusCallbackMethod']);

const sid = (prefix: string) => `${prefix}${crypto.randomBytes(16).toString('hex')}`;

function twilioError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

export function createTwilioStandIn(opts: StandInOptions) {
  const records: StandInRecord[] = [];
  const deleted: StandInDeletion[] = [];
  const deletedSids = new Set<string>();
  const listeners = new Set<(r: StandInRecord) => void>();
  const keep = opts.keep ?? 2_000;
  const log = opts.log.child({ module: 'twilio-stand-in' });
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  function authorised(req: Request, res: Response): boolean {
    const header = req.header('authorization') ?? '';
    const [user, pass] = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString().split(':');
    if (user !== opts.accountSid || pass !== opts.authToken || req.params.accountSid !== opts.accountSid) {
      twilioError(res, 401, 20003, 'Authenticate');
      return false;
    }
    return true;
  }

  function record(r: StandInRecord): void {
    records.push(r);
    if (records.length > keep) records.splice(0, records.length - keep);
    for (const l of listeners) l(r);
  }

  /** Posts a status callback as Twilio does: form body, X-Twilio-Signature over the full URL. */
  async function callback(url: string, params: Record<string, string>): Promise<void> {
    const signature = twilio.getExpectedTwilioSignature(opts.authToken, url, params);
    try {
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params) });
    } catch (err) {
      log.warn({ err }, 'status callback could not be delivered');
    }
  }

  function later(fn: () => Promise<void>): void {
    if (opts.callbacks === false) return;
    setTimeout(() => void fn(), opts.callbackDelayMs ?? 50).unref();
  }

  router.post('/2010-04-01/Accounts/:accountSid/Messages.json', (req, res) => {
    if (!authorised(req, res)) return;
    const b = req.body as Record<string, string | undefined>;
    if (!b.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!b.From && !b.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (!b.Body) return twilioError(res, 400, 21602, 'Message body is required.');
    const messageSid = sid('SM');
    const now = new Date().toUTCString();
    record({ kind: 'message', sid: messageSid, to: b.To, from: b.From ?? b.MessagingServiceSid!, body: b.Body, at: new Date().toISOString() });
    res.status(201).json({
      sid: messageSid, account_sid: opts.accountSid, to: b.To, from: b.From ?? null, messaging_service_sid: b.MessagingServiceSid ?? null,
      body: b.Body, status: 'queued', direction: 'outbound-api', num_segments: '1', num_media: '0', api_version: '2010-04-01',
      date_created: now, date_updated: now, date_sent: null, error_code: null, error_message: null, price: null, price_unit: 'EUR',
      uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${messageSid}.json`, subresource_uris: {},
    });
    const statusCallback = b.StatusCallback;
    if (statusCallback) {
      later(async () => {
        const base = { MessageSid: messageSid, SmsSid: messageSid, AccountSid: opts.accountSid, From: b.From ?? '', To: b.To!, ApiVersion: '2010-04-01' };
        await callback(statusCallback, { ...base, MessageStatus: 'sent', SmsStatus: 'sent' });
        await callback(statusCallback, { ...base, MessageStatus: 'delivered', SmsStatus: 'delivered' });
      });
    }
  });

  router.post('/2010-04-01/Accounts/:accountSid/Calls.json', (req, res) => {
    if (!authorised(req, res)) return;
    const b = req.body as Record<string, string | undefined>;
    if (!b.To) return twilioError(res, 400, 21201, "No 'To' number is specified");
    if (!b.From) return twilioError(res, 400, 21213, "No 'From' number is specified");
    if (!b.Twiml && !b.Url) return twilioError(res, 400, 21205, 'Url or Twiml is required');
    const callSid = sid('CA');
    const now = new Date().toUTCString();
    record({ kind: 'call', sid: callSid, to: b.To, from: b.From, body: b.Twiml ?? b.Url!, at: new Date().toISOString() });
    res.status(201).json({
      sid: callSid, account_sid: opts.accountSid, to: b.To, from: b.From, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01',
      date_created: now, date_updated: now, start_time: null, end_time: null, duration: null, price: null, price_unit: 'EUR',
      uri: `/2010-04-01/Accounts/${opts.accountSid}/Calls/${callSid}.json`, subresource_uris: {},
    });
    const statusCallback = b.StatusCallback;
    if (statusCallback) {
      later(() => callback(statusCallback, { CallSid: callSid, AccountSid: opts.accountSid, From: b.From!, To: b.To!, CallStatus: 'completed', Direction: 'outbound-api', ApiVersion: '2010-04-01', CallDuration: '12' }));
    }
  });

  /**
   * DELETE …/Messages/{Sid}.json and …/Recordings/{Sid}.json: 204 with no body, as Twilio answers.
   * The stand-in never sees inbound texts nor recordings (the phone simulator makes those), so it
   * takes any well-formed SID once; a second DELETE, or a malformed SID, is Twilio's 404 (20404).
   */
  function remove(kind: StandInDeletion['kind'], pattern: RegExp) {
    return (req: Request, res: Response) => {
      if (!authorised(req, res)) return;
      const target = String(req.params.sid);
      if (!pattern.test(target) || deletedSids.has(target)) {
        return twilioError(res, 404, 20404, `The requested resource /2010-04-01/Accounts/${opts.accountSid}/${kind === 'message' ? 'Messages' : 'Recordings'}/${target}.json was not found`);
      }
      deletedSids.add(target);
      deleted.push({ kind, sid: target, at: new Date().toISOString() });
      if (deleted.length > keep) deleted.splice(0, deleted.length - keep);
      res.status(204).end();
    };
  }
  router.delete('/2010-04-01/Accounts/:accountSid/Messages/:sid.json', remove('message', /^(SM|MM)[0-9a-f]{32}$/));
  router.delete('/2010-04-01/Accounts/:accountSid/Recordings/:sid.json', remove('recording', /^RE[0-9a-f]{32}$/));

  // -- IncomingPhoneNumbers: what `npm run cli -- twilio connect|check` reads and changes
  const numbers = new Map<string, StandInNumber>();
  function ownNumber(phoneNumber: string): StandInNumber {
    const now = new Date().toUTCString();
    const n: StandInNumber = {
      sid: sid('PN'), phoneNumber, friendlyName: phoneNumber, smsUrl: '', smsMethod: 'POST', smsFallbackUrl: '', smsFallbackMethod: 'POST', smsApplicationSid: '',
      voiceUrl: '', voiceMethod: 'POST', voiceFallbackUrl: '', voiceFallbackMethod: 'POST', voiceApplicationSid: '', statusCallback: '', statusCallbackMethod: 'POST',
      dateCreated: now, dateUpdated: now,
    };
    numbers.set(n.sid, n);
    return n;
  }
  for (const phoneNumber of opts.numbers ?? []) ownNumber(phoneNumber);

  function numberJson(n: StandInNumber) {
    return {
      sid: n.sid, account_sid: opts.accountSid, phone_number: n.phoneNumber, friendly_name: n.friendlyName, api_version: '2010-04-01',
      sms_url: n.smsUrl, sms_method: n.smsMethod, sms_fallback_url: n.smsFallbackUrl, sms_fallback_method: n.smsFallbackMethod, sms_application_sid: n.smsApplicationSid,
      voice_url: n.voiceUrl, voice_method: n.voiceMethod, voice_fallback_url: n.voiceFallbackUrl, voice_fallback_method: n.voiceFallbackMethod,
      voice_application_sid: n.voiceApplicationSid, voice_caller_id_lookup: false, status_callback: n.statusCallback, status_callback_method: n.statusCallbackMethod,
      trunk_sid: null, capabilities: { voice: true, sms: true, mms: false, fax: false }, status: 'in-use', origin: 'twilio',
      date_created: n.dateCreated, date_updated: n.dateUpdated, uri: `/2010-04-01/Accounts/${opts.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    };
  }

  const numbersPath = '/2010-04-01/Accounts/:accountSid/IncomingPhoneNumbers';
  router.get(`${numbersPath}.json`, (req, res) => {
    if (!authorised(req, res)) return;
    const wanted = typeof req.query.PhoneNumber === 'string' ? req.query.PhoneNumber.replace(/\s/g, '') : undefined;
    const list = [...numbers.values()].filter((n) => !wanted || n.phoneNumber === wanted).map(numberJson);
    const uri = `/2010-04-01/Accounts/${opts.accountSid}/IncomingPhoneNumbers.json`;
    res.json({ incoming_phone_numbers: list, start: 0, end: Math.max(0, list.length - 1), page: 0, page_size: 50, uri, first_page_uri: uri, next_page_uri: null, previous_page_uri: null });
  });
  // "buying" a number: how a test or a demo gives the account one
  router.post(`${numbersPath}.json`, (req, res) => {
    if (!authorised(req, res)) return;
    const phoneNumber = (req.body as Record<string, string | undefined>).PhoneNumber;
    if (!phoneNumber || !/^\+\d{8,15}$/.test(phoneNumber)) return twilioError(res, 400, 21421, 'PhoneNumber is invalid');
    res.status(201).json(numberJson(ownNumber(phoneNumber)));
  });
  router.get(`${numbersPath}/:sid.json`, (req, res) => {
    if (!authorised(req, res)) return;
    const n = numbers.get(String(req.params.sid));
    if (!n) return twilioError(res, 404, 20404, `The requested resource ${req.path} was not found`);
    res.json(numberJson(n));
  });
  router.post(`${numbersPath}/:sid.json`, (req, res) => {
    if (!authorised(req, res)) return;
    const n = numbers.get(String(req.params.sid));
    if (!n) return twilioError(res, 404, 20404, `The requested resource ${req.path} was not found`);
    const b = req.body as Record<string, string | undefined>;
    for (const [field, value] of Object.entries(b)) {
      if (URL_FIELDS.has(field) && value && !/^https?:\/\/[^\s]+$/.test(value)) return twilioError(res, 400, 21502, `${field} is not a valid URL: ${value}`);
      if (METHOD_FIELDS.has(field) && value && !['GET', 'POST'].includes(value.toUpperCase())) return twilioError(res, 400, 21501, `${field} must be GET or POST`);
    }
    for (const [field, key] of Object.entries(NUMBER_FIELDS)) {
      const value = b[field];
      if (value !== undefined) n[key] = METHOD_FIELDS.has(field) ? value.toUpperCase() : value;
    }
    n.dateUpdated = new Date().toUTCString();
    log.info({ number: n.phoneNumber }, 'incoming phone number updated');
    res.json(numberJson(n));
  });

  return {
    router,
    records,
    /** the SIDs deleted, oldest first */
    deleted,
    numbers,
    onRecord(listener: (r: StandInRecord) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type TwilioStandIn = ReturnType<typeof createTwilioStandIn>;
