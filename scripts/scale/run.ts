// npm run test:scale — scale-out tested, not assumed (issue 15). From the compiled dist/, two web
// processes and two workers on one fresh PostgreSQL database and one Redis keyspace; N residents
// order by SMS ("2 baguettes", "OUI"), some ask for delivery, the distribution closes during the
// run, the delivery lead assigns and couriers answer; webhooks go to both web processes in turn and
// one worker is SIGKILLed mid-burst. The webhooks only take the texts; the workers answer them.
// Checked: every text answered exactly once, each resident's replies in the order of their texts,
// every notification and reply sent at most once (exactly once unless the kill cut its send off), no order doubled, basket numbers unique and gapless, the
// sweep's close done once (one digest to the lead). Prints the figures; exits 1 on any violation.
//
// SCALE_RESIDENTS (default 500), TEST_DATABASE_URL / REDIS_URL (CI's), SCALE_REDIS_DB (default 13:
// flushed before and after), SCALE_TIMEOUT_S (default 420: past it, everything is killed, exit 1).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import twilio from 'twilio';
import { seedDemo } from '../../src/demo/seed.js';
import { DEMO_COURIERS, DEMO_GROUP, DEMO_STAFF } from '../../src/demo/demoData.js';
import { SYSTEM } from '../../src/orders/actor.js';
import { upsertCustomer } from '../../src/orders/customers.js';
import { rescheduleDistribution } from '../../src/orders/distributionLifecycle.js';
import { createDb } from '../../src/platform/db/client.js';
import { migrateDeploy } from '../../src/platform/db/migrate.js';

const N = Number(process.env.SCALE_RESIDENTS ?? 500);
const DELIVERY_EVERY = 5; // one resident in five asks for home delivery
const TIMEOUT_S = Number(process.env.SCALE_TIMEOUT_S ?? 420);
const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisBase = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisDb = Number(process.env.SCALE_REDIS_DB ?? 13);
const redisUrl = `${redisBase.replace(/\/\d+$/, '')}/${redisDb}`;
const dbName = `scale_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
const databaseUrl = `${baseUrl.replace(/\/[^/]*$/, '')}/${dbName}`;
const ACCOUNT_SID = 'AC00000000000000000000000000000015';
const AUTH_TOKEN = 'scale-test-token';
const PUBLIC_BASE_URL = 'https://scale.panier.example.org';
const LEAD_PHONE = DEMO_STAFF.find((s) => s.role === 'delivery_lead')!.phone!;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-scale-'));
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

const children: { name: string; proc: ChildProcess; log: string }[] = [];
const violations: string[] = [];
const fail = (msg: string) => violations.push(msg);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cleanup(): Promise<void> {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  const admin = new pg.Client({ connectionString: baseUrl });
  try {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  } catch {
    /* best effort */
  } finally {
    await admin.end().catch(() => {});
  }
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await r.connect().then(() => r.flushdb()).catch(() => {});
  r.disconnect();
  if (violations.length === 0) fs.rmSync(work, { recursive: true, force: true });
}

// never hangs: past the budget, every child is killed and the run fails
const watchdog = setTimeout(() => {
  console.error(`test:scale: over ${TIMEOUT_S} s, stopping everything`);
  void cleanup().finally(() => process.exit(1));
}, TIMEOUT_S * 1000);
watchdog.unref();

// ---- a fake Twilio: answers Messages/Calls and counts each send per Message row (statusCallback)
const sends = new Map<string, number>();
const sendLog: { messageId: string; to: string; body: string }[] = [];
let sidSeq = 0;
const fakeTwilio = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (d) => (raw += d));
  req.on('end', () => {
    const b = Object.fromEntries(new URLSearchParams(raw));
    const isMessage = /\/Messages\.json$/.test(req.url ?? '');
    const isCall = /\/Calls\.json$/.test(req.url ?? '');
    if (req.method !== 'POST' || (!isMessage && !isCall)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20404, message: 'not found', status: 404 }));
      return;
    }
    const messageId = new URL(b.StatusCallback ?? 'http://x/', 'http://x').searchParams.get('messageId') ?? `no-id-${sidSeq}`;
    sends.set(messageId, (sends.get(messageId) ?? 0) + 1);
    sendLog.push({ messageId, to: b.To ?? '', body: b.Body ?? b.Twiml ?? '' });
    const sid = (isMessage ? 'SM' : 'CA') + (++sidSeq).toString(16).padStart(32, '0');
    const now = new Date().toUTCString();
    const common = { sid, account_sid: ACCOUNT_SID, to: b.To, from: b.From ?? null, status: 'queued', api_version: '2010-04-01', date_created: now, date_updated: now, uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/${isMessage ? 'Messages' : 'Calls'}/${sid}.json` };
    const json = isMessage
      ? { ...common, body: b.Body, messaging_service_sid: b.MessagingServiceSid ?? null, num_segments: '1', num_media: '0', direction: 'outbound-api', price: null, error_code: null, error_message: null }
      : { ...common, direction: 'outbound-api' };
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(json));
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function start(name: string, role: 'web' | 'worker', env: Record<string, string>): ChildProcess {
  const log = path.join(work, `${name}.log`);
  const out = fs.openSync(log, 'a');
  // what `npm run start:prod` runs, started directly so that SIGKILL reaches the node process
  const proc = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js', '--no-embedded', '--role', role], { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  children.push({ name, proc, log });
  return proc;
}

// ---- signed webhooks, alternately to each web process
let webPorts: number[] = [];
let turn = 0;
async function sms(from: string, body: string): Promise<string> {
  const sid = `SM${crypto.randomBytes(16).toString('hex')}`;
  const params: Record<string, string> = { MessageSid: sid, SmsSid: sid, SmsMessageSid: sid, AccountSid: ACCOUNT_SID, From: from, To: DEMO_GROUP.number, Body: body, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01' };
  const port = webPorts[turn++ % webPorts.length]!;
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params);
  const res = await fetch(`http://127.0.0.1:${port}/twilio/sms`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params), signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  // Twilio does not retry an SMS webhook: a refusal is a failure of the run
  if (!res.ok) throw new Error(`webhook ${res.status} for "${body}" from ${from}: ${text.slice(0, 200)}`);
  return text;
}

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

/** Texts are answered by the workers, after the webhook: waits until none is left unanswered. */
async function allTextsHandled(db: ReturnType<typeof createDb>, what: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(`every text ${what} handled by the workers`, timeoutMs, async () => (await db.message.count({ where: { direction: 'inbound', processedAt: null } })) === 0);
}

const residentPhone = (i: number) => `+3361${String(3000000 + i).padStart(7, '0')}`;

async function main(): Promise<void> {
  if (!fs.existsSync('dist/main.js')) throw new Error('dist/main.js is missing: npm run build');
  console.log(`== test:scale: ${N} residents, 2 web + 2 workers from dist/, database ${dbName}, Redis db ${redisDb}`);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const flush = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  await flush.flushdb();
  flush.disconnect();
  await migrateDeploy(databaseUrl);

  const db = createDb(databaseUrl, { applicationName: 'panier-scale-test' });
  try {
    const { groupId } = await seedDemo(db);
    for (let i = 0; i < N; i++) await upsertCustomer(db, { groupId, phone: residentPhone(i), name: `Résident ${i}` });
    const dist = await db.distribution.findFirstOrThrow({ where: { groupId, status: 'scheduled' } });
    console.log(`seeded in ${elapsed()}`);

    await new Promise<void>((r) => fakeTwilio.listen(0, '127.0.0.1', () => r()));
    const twilioPort = (fakeTwilio.address() as AddressInfo).port;
    webPorts = [await freePort(), await freePort()];
    const common = {
      NODE_ENV: 'production', DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PUBLIC_BASE_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: `http://127.0.0.1:${twilioPort}`, SESSION_SECRET: 'scale-test', LOG_LEVEL: 'warn', SMS_SEGMENTS_PER_SECOND: '0',
      OUTBOX_RELAY_INTERVAL_MS: '200', SWEEP_INTERVAL_MS: '1000', DATABASE_POOL_MAX: '5',
    };
    start('web1', 'web', { ...common, PORT: String(webPorts[0]) });
    start('web2', 'web', { ...common, PORT: String(webPorts[1]) });
    start('worker1', 'worker', { ...common, LOG_LEVEL: 'info' });
    const worker2 = start('worker2', 'worker', { ...common, LOG_LEVEL: 'info' });
    for (const port of webPorts) {
      await waitFor(`web on ${port} ready`, 60_000, async () => {
        const dead = children.find((c) => c.proc.exitCode !== null);
        if (dead) throw new Error(`${dead.name} exited: ${fs.readFileSync(dead.log, 'utf8').slice(-2000)}`);
        return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      });
    }
    for (const c of children.filter((c) => c.name.startsWith('worker'))) {
      await waitFor(`${c.name} started`, 60_000, async () => fs.readFileSync(c.log, 'utf8').includes('worker started'));
    }
    console.log(`2 web + 2 workers ready in ${elapsed()}`);

    // ---- the burst: orders, confirmations, delivery requests; worker2 killed halfway
    const burstStart = Date.now();
    const residents = Array.from({ length: N }, (_, i) => i);
    let done = 0;
    let killedAt = -1;
    await pool(residents, 8, async (i) => {
      const phone = residentPhone(i);
      await sms(phone, '2 baguettes');
      await sms(phone, 'OUI');
      if (i % DELIVERY_EVERY === 0) await sms(phone, `LIVRAISON ${1 + (i % 40)} rue des Lilas, 58140 Lormes`);
      if (++done === Math.floor(N / 2) && killedAt < 0) {
        killedAt = done;
        worker2.kill('SIGKILL');
      }
    });
    const burstS = (Date.now() - burstStart) / 1000;
    console.log(`burst: ${N} residents, ${N * 2 + Math.ceil(N / DELIVERY_EVERY)} webhooks in ${burstS.toFixed(1)} s; worker2 SIGKILLed after ${killedAt} residents`);

    // ---- the workers answer what the webhooks took (the killed worker's texts come back after
    // BullMQ's stalled check, 30 s); the distribution closes only after every OUI
    await allTextsHandled(db, 'of the burst');
    console.log(`burst answered at ${elapsed()}`);

    // ---- the sweep closes the distribution: closesAt passes now, with one worker left
    // through the use case: the running services' cached catalogues hear of the new closing time
    await db.$transaction((tx) => rescheduleDistribution(tx, { groupId, distributionId: dist.id }, {
      relayPointId: dist.relayPointId, opensAt: dist.opensAt, closesAt: new Date(Date.now() + 1500), pickupStart: dist.pickupStart, pickupEnd: dist.pickupEnd,
      deliveryStart: dist.deliveryStart ?? undefined, deliveryEnd: dist.deliveryEnd ?? undefined,
    }, SYSTEM));
    await waitFor('the sweep to close the distribution', 30_000, async () => (await db.distribution.findUniqueOrThrow({ where: { id: dist.id } })).status === 'closed');
    // a second worker again, so that two sweep and race for the next ticks
    start('worker3', 'worker', { ...common, LOG_LEVEL: 'info' });
    await waitFor('worker3 started', 60_000, async () => fs.readFileSync(children.at(-1)!.log, 'utf8').includes('worker started'));

    // ---- the lead assigns each delivery, couriers accept and deliver
    const deliveries = await db.delivery.findMany({ where: { order: { distributionId: dist.id } }, include: { order: { select: { basketNumber: true } } } });
    const couriers = DEMO_COURIERS.map((c) => ({ phone: c.phone, first: c.name.split(' ')[0]!.toUpperCase() }));
    const plan = deliveries.map((d, k) => ({ basket: d.order.basketNumber!, courier: couriers[k % couriers.length]! }));
    const leadStart = Date.now();
    // the lead texts one at a time (one phone); couriers answer in parallel
    for (const p of plan) await sms(LEAD_PHONE, `A ${p.basket} ${p.courier.first}`);
    // a courier accepts what the lead's text has assigned: once the workers have read it
    await allTextsHandled(db, 'of the lead', 60_000);
    // each courier one text at a time (one phone, one person): two of a courier's texts sent at once
    // have no order, and the reply-order check below would count the harness's race as a disorder
    const byCourier = new Map<string, typeof plan>();
    for (const p of plan) byCourier.set(p.courier.phone, [...(byCourier.get(p.courier.phone) ?? []), p]);
    await pool([...byCourier.values()], byCourier.size, async (theirs) => {
      for (const p of theirs) {
        await sms(p.courier.phone, `OK ${p.basket}`);
        await sms(p.courier.phone, `LIVRE ${p.basket}`);
      }
    });
    console.log(`dispatch: ${plan.length} deliveries assigned, accepted and delivered in ${((Date.now() - leadStart) / 1000).toFixed(1)} s`);

    // ---- quiescence: every event handled, every message out of pending (the killed worker's
    // active jobs come back after BullMQ's stalled check, 30 s)
    await waitFor('the notification queue to drain', 90_000, async () => {
      const [events, [pending], texts] = await Promise.all([
        db.outboxEvent.count({ where: { processedAt: null, failedAt: null } }),
        // a reply behind one the kill cut off waits for it: the sweep marks that one `unknown` after
        // 10 minutes (never sent twice), then it goes; counted below, not waited for
        db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM "Message" m WHERE m.direction = 'outbound' AND m.status = 'pending'
            AND NOT (m."inReplyToId" IS NOT NULL AND EXISTS (SELECT 1 FROM "Message" e WHERE e."toPhone" = m."toPhone" AND e."inReplyToId" IS NOT NULL
              AND e.status = 'sending' AND (e."createdAt", e.id) < (m."createdAt", m.id)))`,
        db.message.count({ where: { direction: 'inbound', processedAt: null } }),
      ]);
      return events === 0 && pending!.n === 0 && texts === 0;
    }).catch(async (err: Error) => {
      // what is left, and for a reply left pending what is ahead of it to the same person
      const left = await db.$queryRaw<{ kind: string; role: string | null; reply: boolean; ahead: string | null; n: number }[]>`
        SELECT m.kind, m."recipientRole"::text AS role, m."inReplyToId" IS NOT NULL AS reply,
               (SELECT string_agg(DISTINCT e.status::text, ',') FROM "Message" e WHERE e."toPhone" = m."toPhone" AND e."inReplyToId" IS NOT NULL
                  AND e.status IN ('pending', 'sending') AND (e."createdAt", e.id) < (m."createdAt", m.id)) AS ahead,
               count(*)::int AS n
        FROM "Message" m WHERE m.direction = 'outbound' AND m.status = 'pending' GROUP BY 1, 2, 3, 4`;
      const texts = await db.message.count({ where: { direction: 'inbound', processedAt: null } });
      throw new Error(`${err.message}: ${texts} texts unhandled; pending ${JSON.stringify(left)}`);
    });
    await sleep(3000); // three more sweep ticks: a second digest would show now
    console.log(`drained at ${elapsed()}`);

    // ---- checks
    const outbound = await db.message.findMany({ where: { direction: 'outbound' }, select: { id: true, kind: true, status: true, toPhone: true, orderId: true, outboxEventId: true, twilioSid: true, inReplyToId: true } });
    const byId = new Map(outbound.map((m) => [m.id, m]));
    const queued = outbound.filter((m) => m.outboxEventId !== null);
    const replies = outbound.filter((m) => m.inReplyToId !== null);
    let duplicates = 0;
    let unknownIds = 0;
    for (const [id, n] of sends) {
      if (!byId.has(id)) unknownIds++;
      if (n > 1) {
        duplicates++;
        if (duplicates <= 5) fail(`message ${id} (${byId.get(id)?.kind}) sent ${n} times`);
      }
    }
    if (duplicates > 5) fail(`${duplicates} messages sent more than once`);
    if (unknownIds) fail(`${unknownIds} sends for no Message row`);
    // a send the kill cut off (row left `sending`, no Twilio SID) is not retried by design: the
    // sweep marks it `unknown` after 10 minutes; it may be at most the killed worker's in-flight sends
    const cutOff = [...queued, ...replies].filter((m) => m.status === 'sending' && !m.twilioSid);
    const unsent = queued.filter((m) => !sends.has(m.id) && !cutOff.includes(m));
    if (unsent.length) fail(`${unsent.length} notifications never sent (e.g. ${unsent.slice(0, 3).map((m) => `${m.kind}:${m.status}`).join(', ')})`);
    if (cutOff.length > 20) fail(`${cutOff.length} sends cut off by one worker's death: more than it can have had in flight`);

    // every text answered once: one reply row each, sent once (unless the kill cut its send off)
    const texts = await db.message.findMany({ where: { direction: 'inbound' }, select: { id: true, fromPhone: true, createdAt: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const replyRows = new Map<string, number>();
    for (const r of replies) replyRows.set(r.inReplyToId!, (replyRows.get(r.inReplyToId!) ?? 0) + 1);
    const unanswered = texts.filter((t) => !replyRows.has(t.id)).length;
    const answeredTwice = [...replyRows.values()].filter((n) => n > 1).length;
    // a reply left `sending` by the kill holds the later replies to the same person back
    const cutOffTo = new Set(replies.filter((m) => m.status === 'sending').map((m) => m.toPhone));
    const heldBehind = replies.filter((r) => r.status === 'pending' && cutOffTo.has(r.toPhone)).length;
    const repliesUnsent = replies.filter((r) => !sends.has(r.id) && !cutOff.includes(r) && !(r.status === 'pending' && cutOffTo.has(r.toPhone))).length;
    if (heldBehind > 2 * cutOffTo.size) fail(`${heldBehind} replies held behind ${cutOffTo.size} cut-off sends: more than those residents' texts`);
    if (unanswered) fail(`${unanswered} of ${texts.length} texts without a reply`);
    if (answeredTwice) fail(`${answeredTwice} texts with more than one reply`);
    if (repliesUnsent) fail(`${repliesUnsent} replies never sent`);
    // in order per person: the replies reached Twilio in the order of the texts they answer
    const textRank = new Map(texts.map((t, k) => [t.id, k]));
    const replyOf = new Map(replies.map((r) => [r.id, r]));
    const lastRank = new Map<string, number>();
    let outOfOrder = 0;
    for (const s of sendLog) {
      const reply = replyOf.get(s.messageId);
      if (!reply) continue;
      const rank = textRank.get(reply.inReplyToId!) ?? -1;
      if (rank < (lastRank.get(reply.toPhone) ?? -1)) {
        outOfOrder++;
        // what happened to that person, to tell a real disorder from the harness's view of it
        const theirs = texts.filter((t) => t.fromPhone === reply.toPhone);
        const detail = await db.message.findMany({ where: { OR: [{ fromPhone: reply.toPhone }, { toPhone: reply.toPhone }] }, orderBy: { createdAt: 'asc' }, select: { id: true, direction: true, body: true, status: true, createdAt: true, inReplyToId: true, twilioSid: true, kind: true } });
        console.log(`out of order for ${reply.toPhone}: texts ${theirs.map((t) => t.id).join(', ')}; sends ${sendLog.filter((x) => replyOf.get(x.messageId)?.toPhone === reply.toPhone).map((x) => x.messageId).join(', ')}`);
        for (const m of detail) console.log(`  ${m.createdAt.toISOString()} ${m.direction} ${m.kind} ${m.status} ${m.id} reply-to ${m.inReplyToId ?? '-'} sid ${m.twilioSid ?? '-'} ${JSON.stringify(m.body.slice(0, 40))}`);
      }
      lastRank.set(reply.toPhone, rank);
    }
    if (outOfOrder) fail(`${outOfOrder} replies reached Twilio before the reply to an earlier text of the same person`);
    const failed = queued.filter((m) => ['failed', 'undelivered', 'unknown'].includes(m.status));
    if (failed.length) fail(`${failed.length} notifications failed`);
    const sameNotice = new Map<string, number>();
    for (const m of queued) {
      const key = `${m.kind}|${m.toPhone}|${m.orderId ?? '-'}|${m.kind.startsWith('distribution.') ? m.outboxEventId : ''}`;
      sameNotice.set(key, (sameNotice.get(key) ?? 0) + 1);
    }
    const doubledNotices = [...sameNotice.values()].filter((n) => n > 1).length;
    if (doubledNotices) fail(`${doubledNotices} notices written twice for the same recipient, kind and order`);

    const orders = await db.order.findMany({ where: { distributionId: dist.id }, select: { customerId: true, status: true, basketNumber: true, lines: { select: { quantity: true } } } });
    const active = orders.filter((o) => o.basketNumber !== null);
    const perCustomer = new Map<string, number>();
    for (const o of active) perCustomer.set(o.customerId, (perCustomer.get(o.customerId) ?? 0) + 1);
    const doubledOrders = [...perCustomer.values()].filter((n) => n > 1).length;
    if (doubledOrders) fail(`${doubledOrders} residents have more than one order`);
    if (active.length !== N) fail(`${active.length} confirmed orders for ${N} residents`);
    const wrongQty = active.filter((o) => o.lines.reduce((s, l) => s + l.quantity, 0) !== 2).length;
    if (wrongQty) fail(`${wrongQty} orders without exactly 2 items (a doubled line?)`);
    const baskets = active.map((o) => o.basketNumber!).sort((a, b) => a - b);
    const unique = new Set(baskets).size === baskets.length;
    const gapless = baskets.every((b, k) => b === k + 1);
    if (!unique) fail('basket numbers repeat');
    if (!gapless) fail(`basket numbers have gaps (1..${baskets.at(-1)} for ${baskets.length} orders)`);

    const closeEvents = await db.outboxEvent.count({ where: { type: 'distribution.closed' } });
    const digests = queued.filter((m) => m.kind === 'distribution.closed');
    const digestSends = digests.reduce((s, m) => s + (sends.get(m.id) ?? 0), 0);
    if (closeEvents !== 1) fail(`${closeEvents} distribution.closed events (the sweep closed it ${closeEvents} times)`);
    if (digests.length !== 1 || digestSends !== 1 || digests[0]?.toPhone !== LEAD_PHONE) fail(`${digests.length} digest rows, ${digestSends} digest sends to the lead (one expected)`);
    const deliveredCount = await db.delivery.count({ where: { status: 'delivered' } });
    if (deliveredCount !== plan.length || plan.length !== Math.ceil(N / DELIVERY_EVERY)) fail(`${deliveredCount} deliveries delivered of ${plan.length} (${Math.ceil(N / DELIVERY_EVERY)} asked)`);

    const byKind = new Map<string, number>();
    for (const m of queued) byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
    console.log(`figures: ${N} residents, ${active.length} orders (baskets 1..${baskets.at(-1)}), ${plan.length} deliveries, ${deliveredCount} delivered`);
    console.log(`         ${texts.length} texts, ${replies.length} replies (${replies.filter((r) => sends.has(r.id)).length} sent), ${unanswered} unanswered, ${answeredTwice} answered twice, ${outOfOrder} out of order, ${heldBehind} held behind a cut-off reply`);
    console.log(`         ${queued.length} notifications (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}), ${sendLog.length} Twilio sends, ${duplicates} sent twice, ${cutOff.length} cut off by the kill`);
    console.log(`         ${closeEvents} close event, ${digests.length} digest, ${digestSends} digest send to the lead; total ${elapsed()}`);
  } finally {
    await db.$disconnect();
  }
}

let code = 0;
try {
  await main();
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (violations.length) {
  code = 1;
  console.error(`test:scale FAILED:\n  - ${violations.join('\n  - ')}`);
  for (const c of children) console.error(`--- ${c.name} (last lines of ${c.log})\n${fs.readFileSync(c.log, 'utf8').split('\n').slice(-15).join('\n')}`);
} else {
  console.log('test:scale: ok');
}
await cleanup();
fakeTwilio.close();
fakeTwilio.closeAllConnections();
process.exit(code);
