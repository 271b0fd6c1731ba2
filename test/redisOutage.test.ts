// Redis stops in the middle of a burst of orders: every notification is still
// sent, exactly once, after it returns. A redis-server of this test's own, on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderService } from '../src/orders/orderService.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile } from './helpers/fixtures.js';
import { fakeTwilio, startTestPipeline, waitFor } from './helpers/pipeline.js';

// sized for a small, loaded machine (2 cores, load 20: 200 orders and 30 s took over 180 s); the
// property is the same at any size: nothing published while Redis is away, each sent once after
const ORDERS = 60;
const OUTAGE_MS = 10_000;
const BEFORE_STOP = 20;

let db: Db;
let port: number;
let dir: string;
let redis: ChildProcess | null = null;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function startRedis(persistent: boolean): Promise<void> {
  // persistent like the embedded default (AOF): what was queued before the stop is there after it;
  // or not (CI's Redis keeps nothing): the worker's sweep finds what Redis forgot and queues it again
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', persistent ? 'yes' : 'no', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
  const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  await waitFor('redis up', async () => probe.connect().then(() => probe.ping()).catch(() => null), 10_000);
  probe.disconnect();
}

async function stopRedis(): Promise<void> {
  const child = redis!;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  redis = null;
}

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  port = await freePort();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-redis-outage-'));
});

afterAll(async () => {
  if (redis) await stopRedis();
  fs.rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
});

describe.each([
  ['with its data kept (AOF)', true],
  ['restarted empty', false],
])('Redis down during a burst, %s', (_label, persistent) => {
  it(`${ORDERS} orders, Redis stopped ${OUTAGE_MS / 1000} s: every confirmation sent exactly once`, async () => {
    await startRedis(persistent);
    const g = await createTestGroup(db, { croissantStock: 1000 });
    // the previous case's Twilio interceptors would take this one's messages
    nock.cleanAll();
    const twilio = fakeTwilio();
    const running = await startTestPipeline(db, createLogger('silent'), {
      redisUrl: `redis://127.0.0.1:${port}`,
      sweep: { everyMs: 1_000, stalePendingMs: 5_000, staleEventMs: 10_000 },
    });
    const orders = createOrderService({ db });
    const phones: string[] = [];
    for (let i = 0; i < ORDERS; i++) {
      phones.push(uniqueMobile());
    }
    const customers = await Promise.all(phones.map((phone) => db.customer.create({ data: { groupId: g.groupId, phone, name: 'Voisin', lineType: 'mobile' } })));
    const place = (c: { id: string }) =>
      orders.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'operator', confirm: true, lines: [{ productId: g.products.croissant, quantity: 1 }] });

    // the first third with Redis up, then Redis stops and the rest of the burst comes in
    for (const c of customers.slice(0, BEFORE_STOP)) await place(c);
    const stoppedAt = Date.now();
    await stopRedis();
    for (let i = BEFORE_STOP; i < ORDERS; i += 10) await Promise.all(customers.slice(i, i + 10).map(place));
    const sentWhileDown = twilio.messages.length;
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
    // nothing could be published while Redis was away
    expect(twilio.messages.length).toBe(sentWhileDown);
    await startRedis(persistent);

    await waitFor(`every confirmation (${new Set(twilio.messages.map((m) => m.To)).size} sent when Redis came back)`, () => new Set(twilio.messages.map((m) => m.To)).size >= ORDERS, 90_000).catch(async (err: Error) => {
      const pending = await db.message.groupBy({ by: ['status'], where: { groupId: g.groupId }, _count: true });
      const events = await db.outboxEvent.count({ where: { groupId: g.groupId, processedAt: null } });
      throw new Error(`${err.message}; now ${new Set(twilio.messages.map((m) => m.To)).size} sent; messages ${JSON.stringify(pending)}; unprocessed events ${events}`);
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const perPhone = new Map<string, number>();
    for (const m of twilio.messages) perPhone.set(m.To, (perPhone.get(m.To) ?? 0) + 1);
    expect([...perPhone.keys()].sort()).toEqual([...phones].sort());
    expect([...perPhone.values()].every((n) => n === 1)).toBe(true);
    expect(twilio.messages).toHaveLength(ORDERS);
    expect(await db.message.count({ where: { groupId: g.groupId, kind: 'order.confirmed', status: 'queued' } })).toBe(ORDERS);
    await running.stop();
    await stopRedis();
  }, 300_000);
});
