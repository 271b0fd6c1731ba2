import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import twilio from 'twilio';
import { afterAll, inject } from 'vitest';
import { createApp } from '../../src/app.js';
import type { CatalogCache } from '../../src/catalog/openCatalog.js';
import type { Db } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';

export const TEST_AUTH_TOKEN = 'test-auth-token-0123456789';
export const TEST_PUBLIC_URL = 'https://panier.example.org';

/** Log lines the app wrote, parsed, to assert on warnings and redaction. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
  text(): string {
    return this.lines.map((l) => JSON.stringify(l)).join('\n');
  }
}

export function buildTestApp(db: Db, opts: { redis?: Redis; now?: () => Date; publicBaseUrl?: string; onSmsAccepted?: (messageId: string) => void; catalogs?: CatalogCache } = {}) {
  const redis = opts.redis ?? new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  if (!opts.redis) afterAll(() => redis.disconnect());
  const logs = new LogCapture();
  const log = createLogger('debug', logs);
  // sessions, login counters, the SMS journal and calls' state under this app's own keys (Redis is shared)
  const redisPrefix = `t-${crypto.randomBytes(4).toString('hex')}:`;
  const app = createApp({
    config: { publicBaseUrl: opts.publicBaseUrl ?? TEST_PUBLIC_URL, twilio: { accountSid: 'AC' + '0'.repeat(32), authToken: TEST_AUTH_TOKEN, apiBaseUrl: undefined, demoMode: false } },
    db,
    redis,
    log,
    now: opts.now,
    onSmsAccepted: opts.onSmsAccepted,
    catalogs: opts.catalogs,
    redisPrefix,
  });
  return { app, logs, redis, redisPrefix };
}

/** The X-Twilio-Signature Twilio would send for this path and form body. */
export function sign(path: string, params: Record<string, string>, token = TEST_AUTH_TOKEN, base = TEST_PUBLIC_URL): string {
  return twilio.getExpectedTwilioSignature(token, `${base}${path}`, params);
}

export function smsParams(from: string, to: string, body: string, sid = `SM${crypto.randomBytes(16).toString('hex')}`) {
  return {
    MessageSid: sid, SmsSid: sid, SmsMessageSid: sid, AccountSid: 'AC' + '0'.repeat(32), MessagingServiceSid: '',
    From: from, To: to, Body: body, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
    FromCountry: 'FR', ToCountry: 'FR', FromCity: '', ToCity: '', FromZip: '', ToZip: '', FromState: '', ToState: '',
  };
}

export function callParams(from: string, to: string, sid = `CA${crypto.randomBytes(16).toString('hex')}`) {
  return {
    CallSid: sid, AccountSid: 'AC' + '0'.repeat(32), From: from, To: to, Caller: from, Called: to, CallStatus: 'ringing',
    Direction: 'inbound', ApiVersion: '2010-04-01', FromCountry: 'FR', ToCountry: 'FR',
  };
}
