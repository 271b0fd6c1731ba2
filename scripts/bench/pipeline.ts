// npm run bench (pipeline part): 2,000 order confirmations written to the outbox, in batches as
// orders would commit, published, fanned out and sent to a local Twilio stand-in (no rate limit).
// Prints events per second, the time from commit to the Twilio call (p50/p99) and the worker's RSS.
// Uses DATABASE_URL / REDIS_URL when set, else the embedded defaults in a temporary directory.
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { loadConfig } from '../../src/config.js';
import { createTwilioStandIn } from '../../src/demo/twilioStandIn.js';
import { openDatabase, openRedisServer } from '../../src/platform/infrastructure.js';
import { createLogger } from '../../src/platform/logger.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
const BATCH = 50;
const BATCH_EVERY_MS = 100;
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'bench-auth-token';
const here = path.dirname(fileURLToPath(import.meta.url));

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-bench-pipeline-'));
const config = { ...loadConfig(), dataDir };
const log = createLogger('warn');
const redisServer = await openRedisServer(config, log);
const database = await openDatabase(config, log);
const { db } = database;

// the Twilio stand-in, timing each message it receives
const standIn = createTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, log, callbacks: false, keep: EVENTS * 2 });
const receivedAt = new Map<string, number>();
standIn.onRecord((r) => receivedAt.set(r.to, performance.timeOrigin + performance.now()));
const standInApp = express().use(standIn.router);
const standInServer = await new Promise<import('node:http').Server>((resolve) => {
  const s = standInApp.listen(0, '127.0.0.1', () => resolve(s));
});
const twilioBase = `http://127.0.0.1:${(standInServer.address() as AddressInfo).port}`;

// a group, its relay and product, EVENTS residents each with a confirmed order
const number = `+3397${crypto.randomInt(1_000_000, 9_999_999)}`;
const group = await db.group.create({ data: { slug: `bench-${crypto.randomBytes(4).toString('hex')}`, name: 'Panier du banc', numbers: { create: [{ phone: number }] } } });
const relay = await db.relayPoint.create({ data: { groupId: group.id, name: 'Epicerie du banc', address: '1 place' } });
const producer = await db.producer.create({ data: { groupId: group.id, name: 'Boulangerie' } });
const product = await db.product.create({ data: { groupId: group.id, producerId: producer.id, code: 1, name: 'Baguette', category: 'Pain', unit: 'piece', priceCents: 120 } });
const day = 24 * 3600_000;
const distribution = await db.distribution.create({ data: { groupId: group.id, relayPointId: relay.id, opensAt: new Date(Date.now() - day), closesAt: new Date(Date.now() + day), pickupStart: new Date(Date.now() + 2 * day), pickupEnd: new Date(Date.now() + 2 * day + 3 * 3600_000) } });
const phones = Array.from({ length: EVENTS }, (_, i) => `+336${String(30_000_000 + i).slice(-8)}`);
const customerIds = phones.map(() => crypto.randomUUID());
const orderIds = phones.map(() => crypto.randomUUID());
for (let i = 0; i < EVENTS; i += 1000) {
  await db.customer.createMany({ data: phones.slice(i, i + 1000).map((phone, j) => ({ id: customerIds[i + j]!, groupId: group.id, phone, name: 'Voisin', lineType: 'mobile' as const })) });
  await db.order.createMany({ data: orderIds.slice(i, i + 1000).map((id, j) => ({ id, groupId: group.id, customerId: customerIds[i + j]!, distributionId: distribution.id, channel: 'operator' as const, status: 'confirmed' as const, basketNumber: i + j + 1, estimatedCents: 240, confirmedAt: new Date() })) });
  await db.orderLine.createMany({ data: orderIds.slice(i, i + 1000).map((orderId) => ({ orderId, productId: product.id, quantity: 2, productName: 'Baguette', unit: 'piece' as const, unitPriceCents: 120, vatRateBp: 550, variableWeight: false, estimatedCents: 240 })) });
}

const prefix = `bench-${crypto.randomBytes(4).toString('hex')}`;
const poolMax = database.embedded ? 1 : Number(process.env.BENCH_POOL ?? 10);
const worker = fork(path.join(here, 'pipelineWorker.ts'), [database.url, redisServer.url, twilioBase, ACCOUNT_SID, AUTH_TOKEN, prefix, String(poolMax)], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('tmp/prof')}`] : [])] });
const { idleRss } = await new Promise<{ idleRss: number }>((resolve) => worker.once('message', (m) => resolve(m as never)));

// orders commit in batches, as they would at a busy hour; each event's commit time is kept
const committedAt = new Map<string, number>();
const started = performance.timeOrigin + performance.now();
for (let i = 0; i < EVENTS; i += BATCH) {
  const slice = orderIds.slice(i, i + BATCH);
  await db.outboxEvent.createMany({ data: slice.map((orderId) => ({ groupId: group.id, type: 'order.confirmed', aggregateType: 'Order', aggregateId: orderId, payload: { orderId, channel: 'operator' } })) });
  const at = performance.timeOrigin + performance.now();
  for (const phone of phones.slice(i, i + BATCH)) committedAt.set(phone, at);
  await new Promise((r) => setTimeout(r, BATCH_EVERY_MS));
}
const deadline = Date.now() + 300_000;
while (receivedAt.size < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
const finished = Math.max(...receivedAt.values());

worker.send('stop');
const { peakRss } = await new Promise<{ peakRss: number }>((resolve) => worker.once('message', (m) => resolve(m as never)));
await new Promise((r) => worker.once('exit', r));

const latencies = phones.filter((p) => receivedAt.has(p)).map((p) => receivedAt.get(p)! - committedAt.get(p)!).sort((a, b) => a - b);
const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
const seconds = (finished - started) / 1000;
const duplicates = standIn.records.length - receivedAt.size;
console.log(`\nnotification pipeline: ${EVENTS} order confirmations, offered ${(BATCH * 1000 / BATCH_EVERY_MS).toFixed(0)}/s in batches of ${BATCH}, database ${database.embedded ? 'embedded PGlite' : 'PostgreSQL'}, Twilio stand-in without rate limit`);
console.log(`delivered to Twilio: ${receivedAt.size}/${EVENTS} in ${seconds.toFixed(1)} s = ${(receivedAt.size / seconds).toFixed(0)} events/s; duplicates sent: ${duplicates}`);
console.log(`commit → Twilio call: p50 ${pct(0.5).toFixed(0)} ms   p99 ${pct(0.99).toFixed(0)} ms   max ${latencies[latencies.length - 1]!.toFixed(0)} ms`);
console.log(`worker RSS: ${(idleRss / 1024 / 1024).toFixed(0)} MB at start, peak ${(peakRss / 1024 / 1024).toFixed(0)} MB  (goal < 300 MB: ${peakRss < 300 * 1024 * 1024 ? 'met' : 'NOT met'})`);

standInServer.close();
await db.orderLine.deleteMany({ where: { productId: product.id } });
await db.group.delete({ where: { id: group.id } });
await database.close();
await redisServer.close();
fs.rmSync(dataDir, { recursive: true, force: true });
