// npm run bench (pipeline part): 2,000 order confirmations written to the outbox, in batches as
// orders would commit, published, fanned out and sent to a local Twilio stand-in (no rate limit).
// Prints events per second, the time from commit to the Twilio call (p50/p99) and the worker's RSS.
// The worker runs with the old-space limit of `npm run start:worker` (160 MB; BENCH_WORKER_HEAP_MB).
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
const PACED = Number(process.env.BENCH_PACED_EVENTS ?? 1_000);
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 100);
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
const standIn = createTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, log, callbacks: false, keep: (EVENTS + PACED) * 2 });
const receivedAt = new Map<string, number>();
// counted here, not from the stand-in's records (it keeps only the latest ones)
const sendsTo = new Map<string, number>();
standIn.onRecord((r) => {
  if (!receivedAt.has(r.to)) receivedAt.set(r.to, performance.timeOrigin + performance.now());
  sendsTo.set(r.to, (sendsTo.get(r.to) ?? 0) + 1);
});
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
const phones = Array.from({ length: EVENTS + PACED }, (_, i) => `+336${String(30_000_000 + i).slice(-8)}`);
const customerIds = phones.map(() => crypto.randomUUID());
const orderIds = phones.map(() => crypto.randomUUID());
for (let i = 0; i < EVENTS + PACED; i += 1000) {
  await db.customer.createMany({ data: phones.slice(i, i + 1000).map((phone, j) => ({ id: customerIds[i + j]!, groupId: group.id, phone, name: 'Voisin', lineType: 'mobile' as const })) });
  await db.order.createMany({ data: orderIds.slice(i, i + 1000).map((id, j) => ({ id, groupId: group.id, customerId: customerIds[i + j]!, distributionId: distribution.id, channel: 'operator' as const, status: 'confirmed' as const, basketNumber: i + j + 1, estimatedCents: 240, confirmedAt: new Date() })) });
  await db.orderLine.createMany({ data: orderIds.slice(i, i + 1000).map((orderId) => ({ orderId, productId: product.id, quantity: 2, productName: 'Baguette', unit: 'piece' as const, unitPriceCents: 120, vatRateBp: 550, variableWeight: false, estimatedCents: 240 })) });
}

const prefix = `bench-${crypto.randomBytes(4).toString('hex')}`;
const poolMax = database.embedded ? 1 : Number(process.env.BENCH_POOL ?? 10);
const worker = fork(path.join(here, 'pipelineWorker.ts'), [database.url, redisServer.url, twilioBase, ACCOUNT_SID, AUTH_TOKEN, prefix, String(poolMax), database.embedded ? '' : database.url], { execArgv: ['--import', 'tsx', `--max-old-space-size=${process.env.BENCH_WORKER_HEAP_MB ?? 160}`, ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('tmp/prof')}`] : [])] });
const { idleRss } = await new Promise<{ idleRss: number }>((resolve) => worker.once('message', (m) => resolve(m as never)));

/**
 * Writes the events of `slice` in batches of `batch` every `everyMs` (as orders would commit) and
 * waits until Twilio has them all: throughput, and per event the time from commit to Twilio call.
 */
async function phase(range: [number, number], batch: number, everyMs: number) {
  const committedAt = new Map<string, number>();
  const started = performance.timeOrigin + performance.now();
  for (let i = range[0]; i < range[1]; i += batch) {
    const slice = orderIds.slice(i, Math.min(i + batch, range[1]));
    await db.outboxEvent.createMany({ data: slice.map((orderId) => ({ groupId: group.id, type: 'order.confirmed', aggregateType: 'Order', aggregateId: orderId, payload: { orderId, channel: 'operator' } })) });
    const at = performance.timeOrigin + performance.now();
    for (const phone of phones.slice(i, i + slice.length)) committedAt.set(phone, at);
    if (everyMs > 0) await new Promise((r) => setTimeout(r, everyMs));
  }
  const wanted = phones.slice(range[0], range[1]);
  const deadline = Date.now() + 300_000;
  while (wanted.some((p) => !receivedAt.has(p)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const got = wanted.filter((p) => receivedAt.has(p));
  const latencies = got.map((p) => receivedAt.get(p)! - committedAt.get(p)!).sort((a, b) => a - b);
  const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const seconds = (Math.max(...got.map((p) => receivedAt.get(p)!)) - started) / 1000;
  return { delivered: got.length, of: wanted.length, seconds, rate: got.length / seconds, p50: pct(0.5), p99: pct(0.99), max: latencies[latencies.length - 1] ?? NaN };
}

// 1. a burst: EVENTS at once, as fast as the worker takes them (its throughput)
const burst = await phase([0, EVENTS], 500, 0);
// 2. a steady flow below that pace (PACED_RATE a second): the time a resident waits for the SMS
const paced = await phase([EVENTS, EVENTS + PACED], PACED_RATE / 10, 100);

worker.send('stop');
const { peakRss, atPeak } = await new Promise<{ peakRss: number; atPeak: NodeJS.MemoryUsage }>((resolve) => worker.once('message', (m) => resolve(m as never)));
await new Promise((r) => worker.once('exit', r));

const duplicates = [...sendsTo.values()].reduce((sum, n) => sum + n - 1, 0);
const ms = (n: number) => `${n.toFixed(0)} ms`;
console.log(`\nnotification pipeline: order confirmations through outbox, relay, fan-out and sender to a local Twilio stand-in (no rate limit), database ${database.embedded ? 'embedded PGlite' : 'PostgreSQL'}`);
console.log(`burst of ${EVENTS}: delivered ${burst.delivered}/${burst.of} in ${burst.seconds.toFixed(1)} s = ${burst.rate.toFixed(0)} events/s; commit → Twilio call p50 ${ms(burst.p50)} p99 ${ms(burst.p99)} (mostly the backlog)`);
console.log(`steady ${PACED_RATE}/s for ${PACED}: delivered ${paced.delivered}/${paced.of}; commit → Twilio call p50 ${ms(paced.p50)} p99 ${ms(paced.p99)} max ${ms(paced.max)}`);
console.log(`duplicates sent: ${duplicates}`);
console.log(`worker RSS: ${(idleRss / 1024 / 1024).toFixed(0)} MB at start, peak ${(peakRss / 1024 / 1024).toFixed(0)} MB  (goal < 300 MB: ${peakRss < 300 * 1024 * 1024 ? 'met' : 'NOT met'}); at the peak: JS heap ${(atPeak.heapUsed / 1048576).toFixed(0)}/${(atPeak.heapTotal / 1048576).toFixed(0)} MB, external ${(atPeak.external / 1048576).toFixed(0)} MB`);

standInServer.close();
await db.orderLine.deleteMany({ where: { productId: product.id } });
await db.group.delete({ where: { id: group.id } });
await database.close();
await redisServer.close();
fs.rmSync(dataDir, { recursive: true, force: true });
