// Texting the service as a resident does: the webhook takes the text (an empty TwiML), the worker
// answers it through Twilio's REST API, and the reply is read where Twilio receives it (nock).
import type { Express } from 'express';
import request from 'supertest';
import { Redis } from 'ioredis';
import { expect, inject } from 'vitest';
import { watchCatalogChanges } from '../../src/catalog/catalogChanges.js';
import { createCatalogCache } from '../../src/catalog/openCatalog.js';
import type { Db } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import { buildTestApp, sign, smsParams, TEST_PUBLIC_URL } from './app.js';
import { fakeTwilio, startTestPipeline, waitFor } from './pipeline.js';

type FakeTwilio = ReturnType<typeof fakeTwilio>;

export const EMPTY_SMS_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export interface TextOptions {
  sid?: string;
  /** the group's number (default: the texter's) */
  to?: string;
  /** another app instance (a second web process) */
  target?: Express;
}

/** Posts a signed inbound SMS webhook; the webhook only takes the text. */
export async function postSms(app: Express, from: string, to: string, body: string, sid?: string, base = TEST_PUBLIC_URL) {
  const params = smsParams(from, to, body, sid);
  const res = await request(app).post('/twilio/sms').type('form').set('X-Twilio-Signature', sign('/twilio/sms', params, undefined, base)).send(params);
  return { res, sid: params.MessageSid };
}

/**
 * The reply the worker sent to a text, as Twilio received it; null when the text was handled and
 * nothing was answered (STOP from someone already opted out, anything after STOP).
 */
export async function replyTo(db: Db, twilio: FakeTwilio, messageSid: string, timeoutMs = 20_000): Promise<string | null> {
  const inbound = await waitFor(`text ${messageSid} answered by the worker`, async () => {
    const m = await db.message.findUnique({ where: { twilioSid: messageSid }, select: { id: true, processedAt: true } });
    return m?.processedAt ? m : null;
  }, timeoutMs);
  const reply = await db.message.findFirst({ where: { inReplyToId: inbound.id, direction: 'outbound' }, select: { id: true, status: true } });
  if (!reply) return null;
  const sent = await waitFor(`reply to ${messageSid} at Twilio`, () => twilio.messages.find((m) => m.StatusCallback?.endsWith(`messageId=${reply.id}`)), timeoutMs);
  return sent.Body ?? null;
}

/** `text(from, body)`: the reply the resident gets, read at Twilio. */
export function smsTexter(opts: { db: () => Db; app: () => Express; number: () => string; twilio: () => FakeTwilio; publicBaseUrl?: string }) {
  return async function text(from: string, body: string, o: TextOptions = {}): Promise<string | null> {
    const { res, sid } = await postSms(o.target ?? opts.app(), from, o.to ?? opts.number(), body, o.sid, opts.publicBaseUrl);
    expect(res.status).toBe(200);
    expect(res.text).toBe(EMPTY_SMS_TWIML);
    return replyTo(opts.db(), opts.twilio(), sid);
  };
}

/**
 * The web side and the worker side in this process, woken like `npm start` (in-process, no NOTIFY):
 * an app to text, Twilio faked at its HTTP boundary, the pipeline that answers.
 */
export async function startSmsWorld(db: Db, opts: { now?: () => Date; publicBaseUrl?: string; twilio?: FakeTwilio; pipeline?: Parameters<typeof startTestPipeline>[2] } = {}) {
  const twilio = opts.twilio ?? fakeTwilio();
  const worker: { wake?: (messageId: string) => void } = {};
  // one catalogue cache for the process, web and worker, dropped by catalog.changed (as src/main.ts)
  const catalogs = createCatalogCache();
  const built = buildTestApp(db, { now: opts.now, publicBaseUrl: opts.publicBaseUrl, onSmsAccepted: (id) => worker.wake?.(id), catalogs });
  const log = createLogger('debug', built.logs);
  // the worker writes to the same captured log as the app: one log to assert on (and to check for phone numbers)
  const running = await startTestPipeline(db, log, { now: opts.now, publicBaseUrl: opts.publicBaseUrl, catalogs, ...opts.pipeline });
  const subscriber = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  subscriber.on('error', () => {});
  await watchCatalogChanges({ subscriber, prefix: running.prefix, catalogs, log }).subscribed;
  worker.wake = (id) => running.pipeline.inbound.wake(id);
  return {
    ...built, twilio, running, catalogs,
    async stop() {
      await running.stop();
      subscriber.disconnect();
    },
  };
}
