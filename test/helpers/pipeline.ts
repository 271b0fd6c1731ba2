import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import type { Twilio } from 'twilio';
import { inject } from 'vitest';
import { startNotificationPipeline } from '../../src/delivery/pipeline.js';
import type { SenderSettings } from '../../src/delivery/sender.js';
import type { SweepSettings } from '../../src/delivery/schedule.js';
import type { CatalogCache } from '../../src/catalog/openCatalog.js';
import type { Db } from '../../src/platform/db/client.js';
import type { Logger } from '../../src/platform/logger.js';
import { createOutboxQueue } from '../../src/platform/queues.js';
import { createTwilioClient } from '../../src/platform/twilio.js';
import { TEST_AUTH_TOKEN, TEST_PUBLIC_URL } from './app.js';

export const TWILIO_BASE = 'https://twilio.test';
export const ACCOUNT_SID = 'AC' + '0'.repeat(32);
export const MESSAGES_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
export const CALLS_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`;

export interface SentRequest {
  To: string;
  From?: string;
  Body?: string;
  Twiml?: string;
  StatusCallback?: string;
  MessagingServiceSid?: string;
  sid: string;
}

/** Twilio's Messages and Calls endpoints, answering 201 and keeping what was asked. */
export function fakeTwilio() {
  const messages: SentRequest[] = [];
  const calls: SentRequest[] = [];
  const sid = (p: string) => `${p}${crypto.randomBytes(16).toString('hex')}`;
  // numbers a test answers itself with its own interceptors
  const excluded = new Set<string>();
  nock(TWILIO_BASE)
    .persist()
    .post(MESSAGES_PATH, (b: Record<string, string>) => !excluded.has(b.To ?? ''))
    .reply(201, (_uri, body) => {
      const b = Object.fromEntries(new URLSearchParams(body as string)) as unknown as SentRequest;
      const m = { ...b, sid: sid('SM') };
      messages.push(m);
      return { sid: m.sid, status: 'queued', to: b.To, from: b.From ?? null, body: b.Body };
    })
    .post(CALLS_PATH)
    .reply(201, (_uri, body) => {
      const b = Object.fromEntries(new URLSearchParams(body as string)) as unknown as SentRequest;
      const c = { ...b, sid: sid('CA') };
      calls.push(c);
      return { sid: c.sid, status: 'queued', to: b.To, from: b.From };
    });
  return {
    messages,
    calls,
    to: (phone: string) => messages.filter((m) => m.To === phone),
    /** SMS to this number are left to the test's own interceptors */
    except: (phone: string) => void excluded.add(phone),
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The worker side, in this process, on real Redis (a key prefix of its own), Twilio at TWILIO_BASE
 * (nock) unless another client and public URL are given (the demo's stand-in).
 */
export async function startTestPipeline(
  db: Db,
  log: Logger,
  opts: { redisUrl?: string; prefix?: string; twilio?: Twilio; publicBaseUrl?: string; sender?: Partial<SenderSettings>; sweep?: Partial<SweepSettings> & { everyMs?: number }; now?: () => Date; catalogs?: CatalogCache } = {},
) {
  const url = opts.redisUrl ?? inject('redisUrl');
  const prefix = opts.prefix ?? `t-${crypto.randomBytes(4).toString('hex')}`;
  const producer = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const workerConnection = new Redis(url, { maxRetriesPerRequest: null });
  producer.on('error', () => {});
  workerConnection.on('error', () => {});
  const outboxQueue = createOutboxQueue(producer, { prefix });
  outboxQueue.on('error', () => {});
  const pipeline = await startNotificationPipeline({
    db, producer, workerConnection, outboxQueue, prefix, log,
    twilio: opts.twilio ?? createTwilioClient(ACCOUNT_SID, TEST_AUTH_TOKEN, TWILIO_BASE),
    publicBaseUrl: opts.publicBaseUrl ?? TEST_PUBLIC_URL, relayIntervalMs: 50,
    sender: { segmentsPerSecond: 0, backoffMs: 50, callRetryDelayMs: 100, ...opts.sender },
    sweep: { everyMs: 3_600_000, ...opts.sweep },
    now: opts.now,
    catalogs: opts.catalogs,
  });
  return {
    pipeline,
    prefix,
    async stop() {
      await pipeline.close(5_000);
      await outboxQueue.close();
      producer.disconnect();
      workerConnection.disconnect();
    },
  };
}
