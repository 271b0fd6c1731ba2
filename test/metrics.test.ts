// /metrics: Prometheus text behind a bearer token; webhook counts and latencies, queue depths,
// messages by status and SMS segments sent per day, read from the real PostgreSQL and Redis.
import crypto from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../src/app.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { TEST_AUTH_TOKEN, TEST_PUBLIC_URL, sign, smsParams } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, type TestGroup } from './helpers/fixtures.js';

const TOKEN = 'metrics-token-0123456789';
let db: Db;
let g: TestGroup;
let redis: Redis;
let prefix: string;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  prefix = `t-metrics-${crypto.randomBytes(4).toString('hex')}`;
});
afterAll(() => redis.disconnect());

function app(metricsToken?: string) {
  return createApp({
    config: { publicBaseUrl: TEST_PUBLIC_URL, metricsToken, twilio: { accountSid: 'AC' + '0'.repeat(32), authToken: TEST_AUTH_TOKEN, apiBaseUrl: undefined, demoMode: false } },
    db, redis, log: createLogger('silent'), queuePrefix: prefix,
  });
}

/** The value of one sample line, e.g. value(text, 'panier_messages', { status: 'failed' }). */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('/metrics', () => {
  it('is not served without METRICS_TOKEN, and refuses a missing or wrong token', async () => {
    expect((await request(app()).get('/metrics').set('authorization', `Bearer ${TOKEN}`)).status).toBe(404);
    const a = app(TOKEN);
    expect((await request(a).get('/metrics')).status).toBe(401);
    expect((await request(a).get('/metrics').set('authorization', 'Bearer nope')).status).toBe(401);
    expect((await request(a).get('/metrics').set('authorization', `Bearer ${TOKEN}`)).status).toBe(200);
  });

  it('counts webhooks (refused ones too) with their latency, and reads queues, messages and segments', async () => {
    const a = app(TOKEN);
    const params = smsParams(g.customerPhone, g.number, 'SUIVI');
    await request(a).post('/twilio/sms').type('form').send(params).expect(403); // no signature
    await request(a).post('/twilio/sms').type('form').set('x-twilio-signature', sign('/twilio/sms', params)).send(params).expect(200);

    const base = { groupId: g.groupId, fromPhone: g.number, toPhone: g.customerPhone, body: 'x', kind: 'reply' };
    const today = new Date();
    const twoDaysAgo = new Date(today.getTime() - 2 * 86_400_000);
    await db.message.createMany({
      data: [
        { ...base, direction: 'outbound', status: 'delivered', segments: 2 },
        { ...base, direction: 'outbound', status: 'sent', segments: 1 },
        { ...base, direction: 'outbound', status: 'failed', segments: 3 },
        { ...base, direction: 'outbound', status: 'delivered', segments: 4, createdAt: twoDaysAgo },
      ],
    });
    const calls = new Queue('calls', { connection: redis as ConnectionOptions, prefix });
    await calls.add('notice', { x: 1 });
    await calls.add('later', { x: 2 }, { delay: 3_600_000 });

    const res = await request(a).get('/metrics').set('authorization', `Bearer ${TOKEN}`);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.text;
    expect(value(text, 'panier_webhook_requests_total', { route: '/twilio/sms', status: '403' })).toBe(1);
    expect(value(text, 'panier_webhook_requests_total', { route: '/twilio/sms', status: '200' })).toBe(1);
    expect(value(text, 'panier_webhook_duration_seconds_count', { route: '/twilio/sms' })).toBe(2);
    expect(value(text, 'panier_queue_jobs', { queue: 'calls', state: 'waiting' })).toBe(1);
    expect(value(text, 'panier_queue_jobs', { queue: 'calls', state: 'delayed' })).toBe(1);
    expect(value(text, 'panier_queue_jobs', { queue: 'outbox-events', state: 'failed' })).toBe(0);
    expect(value(text, 'panier_messages', { group: g.slug, direction: 'outbound', status: 'delivered' })).toBe(2);
    expect(value(text, 'panier_messages', { group: g.slug, direction: 'outbound', status: 'failed' })).toBe(1);
    // the inbound SUIVI, stored by the webhook, waits for a worker (none runs here)
    expect(value(text, 'panier_messages', { group: g.slug, direction: 'inbound' })).toBe(1);
    expect(value(text, 'panier_sms_unanswered', { measure: 'count' })).toBe(1);
    expect(value(text, 'panier_sms_unanswered', { measure: 'oldest_seconds' })).toBeGreaterThanOrEqual(0);
    expect(value(text, 'panier_queue_jobs', { queue: 'inbound-sms', state: 'waiting' })).toBe(0);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    expect(value(text, 'panier_sms_segments_sent', { group: g.slug, day: day(today) })).toBe(3); // failed ones are not billed
    expect(value(text, 'panier_sms_segments_sent', { group: g.slug, day: day(twoDaysAgo) })).toBe(4);
    expect(text).toContain('panier_process_resident_memory_bytes');
    await calls.obliterate({ force: true });
    await calls.close();
  });
});
