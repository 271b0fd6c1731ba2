// The per-sender pace (Twilio's long code takes one segment a second) and priorities: dispatch
// and replies go before a backlog of reminders.
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSenderPool, PRIORITY, type SenderPool } from '../src/delivery/sender.js';
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
const SEGMENTS_PER_SECOND = 4; // one send every 250 ms per sender

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  senders = createSenderPool({
    connection, prefix: `pace-${crypto.randomBytes(4).toString('hex')}`, db, log: createLogger('silent'), publicBaseUrl: TEST_PUBLIC_URL,
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
  it('keeps one sender to its pace, dispatch before the reminders already waiting', async () => {
    nock.cleanAll();
    const twilio = fakeTwilio();
    const times = new Map<string, number>();
    const from = g.number;
    const reminders = [];
    for (let i = 0; i < 8; i++) reminders.push(await pending('reminder.open', from));
    for (const m of reminders) await senders.enqueue({ id: m.id, channel: 'sms', fromPhone: from, priority: PRIORITY.reminder });
    const dispatch = await pending('delivery.assigned', from);
    await senders.enqueue({ id: dispatch.id, channel: 'sms', fromPhone: from, priority: PRIORITY.dispatch });
    await waitFor('all sent', () => {
      for (const m of twilio.messages) if (!times.has(m.To)) times.set(m.To, Date.now());
      return twilio.messages.length === 9;
    });
    const order = twilio.messages.map((m) => m.To);
    // at most a couple of reminders were already taken before the dispatch arrived
    expect(order.indexOf(dispatch.toPhone)).toBeLessThanOrEqual(2);
    const sorted = [...times.values()].sort((a, b) => a - b);
    // 9 sends at 4 a second take at least 2 seconds (8 intervals of 250 ms), whatever the machine
    expect(sorted[sorted.length - 1]! - sorted[0]!).toBeGreaterThanOrEqual(8 * 250 - 100);
  });

  it('a long message spends as many slots as it has segments', async () => {
    nock.cleanAll();
    const twilio = fakeTwilio();
    const from = '+33970000999';
    const long = await pending('order.confirmed', from, 'x'.repeat(400)); // 3 segments
    const next = await pending('order.confirmed', from);
    await senders.enqueue({ id: long.id, channel: 'sms', fromPhone: from, priority: PRIORITY.notice });
    await waitFor('long sent', () => twilio.messages.some((m) => m.To === long.toPhone));
    const sentLongAt = Date.now();
    await senders.enqueue({ id: next.id, channel: 'sms', fromPhone: from, priority: PRIORITY.notice });
    await waitFor('next sent', () => twilio.messages.some((m) => m.To === next.toPhone));
    expect(Date.now() - sentLongAt).toBeGreaterThanOrEqual(3 * 250 - 150);
  });
});
