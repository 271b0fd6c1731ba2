// The per-sender pace (Twilio's long code takes one segment a second) and priorities: dispatch
// and replies go before a backlog of reminders.
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { createSenderPool, PRIORITY, smsQueueName, type SenderPool } from '../src/delivery/sender.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { createTwilioClient } from '../src/platform/twilio.js';
import { countSegments } from '../src/sms/segments.js';
import { TEST_AUTH_TOKEN, TEST_PUBLIC_URL } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { ACCOUNT_SID, TWILIO_BASE, fakeTwilio, waitFor } from './helpers/pipeline.js';

let db: Db;
let g: TestGroup;
let connection: Redis;
let senders: SenderPool;
const pacePrefix = `pace-${crypto.randomBytes(4).toString('hex')}`;
const SEGMENTS_PER_SECOND = 4; // one send every 250 ms per sender

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  senders = createSenderPool({
    connection, prefix: pacePrefix, db, log: createLogger('silent'), publicBaseUrl: TEST_PUBLIC_URL,
    twilio: createTwilioClient(ACCOUNT_SID, TEST_AUTH_TOKEN, TWILIO_BASE),
    settings: { segmentsPerSecond: SEGMENTS_PER_SECOND, backoffMs: 50 },
  });
});

afterAll(async () => {
  await senders.close(2_000);
  connection.disconnect();
  nock.cleanAll();
});

async function pending(kind: string, from: string, body = 'Bonjour') {
  const { segments } = countSegments(body);
  return db.message.create({ data: { groupId: g.groupId, direction: 'outbound', fromPhone: from, toPhone: uniqueMobile(), body, segments, status: 'pending', kind, recipientRole: 'resident' } });
}

describe('sender pace and priorities', () => {
  it('puts dispatch before the reminders already waiting on a paced sender', async () => {
    nock.cleanAll();
    const twilio = fakeTwilio();
    const from = g.number;
    const reminders = [];
    for (let i = 0; i < 8; i++) reminders.push(await pending('reminder.open', from));
    // the queue is paused while the backlog builds up, so that what runs first depends on the
    // priorities only, not on how fast this machine enqueues
    const paused = new Queue(smsQueueName(from), { connection, prefix: pacePrefix });
    await paused.pause();
    for (const m of reminders) await senders.enqueue({ id: m.id, channel: 'sms', fromPhone: from, priority: PRIORITY.reminder });
    const dispatch = await pending('delivery.assigned', from);
    await senders.enqueue({ id: dispatch.id, channel: 'sms', fromPhone: from, priority: PRIORITY.dispatch });
    await paused.resume();
    await paused.close();
    await waitFor('all sent', () => twilio.messages.length === 9);
    const order = twilio.messages.map((m) => m.To);
    expect(order.indexOf(dispatch.toPhone)).toBe(0);
    // (how fast the pace really is, measured by a clock, belongs to `npm run bench`, not to a test:
    // a loaded machine stretches every figure)
  });

  it('a long message spends as many slots as it has segments', async () => {
    // a slow pool (one segment every 10 s): right after a 3-segment send, the sender's rate limit
    // holds for about 30 s, where a 1-segment send holds it 10 s. Read from Redis, not timed with
    // a clock: a machine would have to stall 15 s for this to be wrong.
    nock.cleanAll();
    const twilio = fakeTwilio();
    const prefix = `pace-slow-${crypto.randomBytes(4).toString('hex')}`;
    const slow = createSenderPool({
      connection, prefix, db, log: createLogger('silent'), publicBaseUrl: TEST_PUBLIC_URL,
      twilio: createTwilioClient(ACCOUNT_SID, TEST_AUTH_TOKEN, TWILIO_BASE),
      settings: { segmentsPerSecond: 0.1, backoffMs: 50 },
    });
    const from = '+33970000998';
    const queue = new Queue(smsQueueName(from), { connection, prefix });
    try {
      const long = await pending('order.confirmed', from, 'x'.repeat(400)); // 3 segments
      expect(long.segments).toBe(3);
      await slow.enqueue({ id: long.id, channel: 'sms', fromPhone: from, priority: PRIORITY.notice });
      await waitFor('long sent', () => twilio.messages.some((m) => m.To === long.toPhone));
      // the one-slot limit (10 s) is set when the job starts; the 3-slot charge after the send
      await waitFor('a rate limit of more than one slot', async () => (await queue.getRateLimitTtl(1)) > 15_000, 10_000);
    } finally {
      await slow.close(2_000);
      await queue.close();
    }
  });
});
