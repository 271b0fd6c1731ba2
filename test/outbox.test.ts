import crypto from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { relayOutboxOnce, startOutboxRelay, type OutboxJobData } from '../src/delivery/outboxRelay.js';
import { startOutboxWorker } from '../src/delivery/outboxWorker.js';
import { createOrderService } from '../src/orders/orderService.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { createOutboxQueue } from '../src/platform/queues.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, type TestGroup } from './helpers/fixtures.js';

let db: Db;
let dbUrl: string;
let g: TestGroup;
let redis: Redis;
let queue: Queue;
const prefix = `test-${crypto.randomBytes(4).toString('hex')}`;
const log = createLogger('silent');

beforeAll(async () => {
  ({ db, url: dbUrl } = await useTestDatabase());
  g = await createTestGroup(db);
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  queue = createOutboxQueue(redis, { prefix });
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
});

async function confirmedOrder() {
  return createOrderService({ db }).placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
}

describe('outbox relay', () => {
  it('publishes each event once, with the event id as job id and ids only in the data', async () => {
    const order = await confirmedOrder();
    const event = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: order.id } });
    expect(await relayOutboxOnce(db, queue)).toBeGreaterThanOrEqual(1);
    const job = await queue.getJob(event.id);
    expect(job?.name).toBe('order.confirmed');
    expect(job?.data).toEqual({ eventId: event.id, type: 'order.confirmed', groupId: g.groupId, aggregateType: 'Order', aggregateId: order.id, payload: { orderId: order.id, channel: 'sms' } });
    expect(JSON.stringify(job?.data)).not.toContain(g.customerPhone);
    expect((await db.outboxEvent.findUniqueOrThrow({ where: { id: event.id } })).publishedAt).not.toBeNull();
    // a second pass finds nothing left
    expect(await relayOutboxOnce(db, queue)).toBe(0);
    // republishing the same event (a crash between add and commit) is ignored by BullMQ
    const jobsBefore = await queue.getJobCountByTypes('waiting', 'delayed', 'completed', 'active');
    await queue.add('order.confirmed', job!.data, { jobId: event.id });
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'completed', 'active')).toBe(jobsBefore);
  });

  it('keeps events unpublished while Redis is down, and loses none', async () => {
    const order = await confirmedOrder();
    const downRedis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    downRedis.on('error', () => {});
    const downQueue = createOutboxQueue(downRedis, { prefix });
    downQueue.on('error', () => {});
    await expect(relayOutboxOnce(db, downQueue)).rejects.toThrow();
    const event = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: order.id } });
    expect(event.publishedAt).toBeNull();
    await downQueue.close().catch(() => {});
    downRedis.disconnect();
    // Redis is back: the next pass publishes it
    await relayOutboxOnce(db, queue);
    expect(await queue.getJob(event.id)).toBeDefined();
  });

  it('hands published events to the worker for their type', async () => {
    const seen: OutboxJobData[] = [];
    const workerRedis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const worker = startOutboxWorker({ connection: workerRedis, prefix, log, handlers: { 'order.cancelled': async (e) => void seen.push(e) } });
    const relay = startOutboxRelay({ db, queue, log, intervalMs: 100 });
    const order = await confirmedOrder();
    await createOrderService({ db }).cancelOrder(order.id, { enforceWindow: true });
    const deadline = Date.now() + 10_000;
    while (!seen.some((e) => e.aggregateId === order.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await relay.stop();
    await worker.close();
    workerRedis.disconnect();
    expect(seen.filter((e) => e.aggregateId === order.id).map((e) => e.type)).toEqual(['order.cancelled']);
  });

  it('publishes at commit when PostgreSQL tells of new events, without waiting for the next poll', async () => {
    // polling once a minute: only the NOTIFY sent at commit can publish within the test
    const relay = startOutboxRelay({ db, queue, log, intervalMs: 60_000, listenUrl: dbUrl });
    await new Promise((r) => setTimeout(r, 500));
    const order = await confirmedOrder();
    const event = await db.outboxEvent.findFirstOrThrow({ where: { aggregateId: order.id } });
    const deadline = Date.now() + 10_000;
    while (!(await queue.getJob(event.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await relay.stop();
    expect(await queue.getJob(event.id)).toBeDefined();
  });
});
