// npm run bench (text to reply): from a resident's text to its reply handed to Twilio, through
// real web and worker processes (`start:web`, `start:worker`), a scratch PostgreSQL database
// (dropped after), a Redis database of its own (BENCH_REDIS_DB, default 11: flushed before and
// after) and a local Twilio stand-in timing each Messages.json POST. The sender's pace is off.
//  1. steady: 500 residents, 100 texts/s for 30 s, each resident texting an order, OUI, SUIVI, an
//     addition, OUI, SUIVI half a second apart (50 "lanes" of 10 residents one after the other);
//  2. burst: 2,000 other residents answering a reminder with an order, all within 10 s.
// Per text: webhook POST → the stand-in's receipt of its reply (matched through the reply row's
// inReplyToId; a reply given in the webhook's TwiML counts at the response). Checked: one reply per
// text, each resident's replies in the order of their texts and of the kind the text calls for.
// Goals printed PASS/MISS; exits 0 unless the harness itself failed (1), with everything stopped.
// BENCH_TEXT_RESIDENTS, BENCH_TEXT_RATE, BENCH_TEXT_LANES, BENCH_BURST, BENCH_BURST_SECONDS,
// BENCH_WEB, BENCH_WORKERS, BENCH_STATUS_CALLBACKS=0, BENCH_TEXT_TIMEOUT_S (default 600).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import twilio from 'twilio';
import { DEMO_GROUP } from '../../src/demo/demoData.js';
import { seedDemo } from '../../src/demo/seed.js';
import { upsertCustomer } from '../../src/orders/customers.js';
import { createDb } from '../../src/platform/db/client.js';
import { migrateDeploy } from '../../src/platform/db/migrate.js';
import { alive, cpuMsOf, lastLines, sampleRss, startService, stopServices, type Service } from './processes.js';
import { sampleSessions } from './sessionSampler.js';
import { report, type SentText } from './textToReplyReport.js';
import { nowMs, startTwilioRecorder, type TwilioRecorder } from './twilioRecorder.js';

const RESIDENTS = Number(process.env.BENCH_TEXT_RESIDENTS ?? 500);
const RATE = Number(process.env.BENCH_TEXT_RATE ?? 100);
const LANES = Number(process.env.BENCH_TEXT_LANES ?? 50);
const BURST = Number(process.env.BENCH_BURST ?? 2_000);
const BURST_SECONDS = Number(process.env.BENCH_BURST_SECONDS ?? 10);
const WEBS = Number(process.env.BENCH_WEB ?? 1);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const TIMEOUT_S = Number(process.env.BENCH_TEXT_TIMEOUT_S ?? 600);
const CALLBACKS = process.env.BENCH_STATUS_CALLBACKS !== '0';
const WARM_UP = 20;
const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = 'bench-text-token';
const PUBLIC_BASE_URL = 'https://bench-text.panier.example';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// a resident's six texts, and the reply each calls for when they are handled in order
const ORDERS = ['2 baguettes', '1 salade et 2 baguettes', '6 oeufs', '1 litre de lait', '3 baguettes et 1 beurre', '1 pain de campagne'];
const ADDITIONS = ['1 kg de pommes', '2 cafe', '1 kg de carottes', '1 savon'];
const script = (r: number) => [
  { body: ORDERS[r % ORDERS.length]!, expect: 'draft' },
  { body: 'OUI', expect: 'confirmed' },
  { body: 'SUIVI', expect: 'status' },
  { body: ADDITIONS[r % ADDITIONS.length]!, expect: 'addition' },
  { body: r % 2 ? 'oui' : 'OUI', expect: 'added' },
  { body: 'SUIVI', expect: 'status' },
] as const;
const STEPS = 6;

const pgBase = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `bench_text_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
const databaseUrl = Object.assign(new URL(pgBase), { pathname: `/${dbName}` }).toString();
const redisUrl = Object.assign(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'), { pathname: `/${process.env.BENCH_REDIS_DB ?? 11}` }).toString();
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-bench-text-'));
const services: Service[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let harnessFailed = false;

async function cleanup(): Promise<void> {
  await stopServices(services);
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect().then(() => admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch((err: Error) => console.error(`could not drop ${dbName}: ${err.message}`));
  await admin.end().catch(() => {});
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await r.connect().then(() => r.flushdb()).catch(() => {});
  r.disconnect();
  if (!harnessFailed) fs.rmSync(logDir, { recursive: true, force: true });
}

// never hangs: past the budget, everything is stopped and the run fails
const watchdog = setTimeout(() => {
  console.error(`text-to-reply bench: over ${TIMEOUT_S} s, stopping everything`);
  harnessFailed = true;
  void cleanup().finally(() => process.exit(1));
}, TIMEOUT_S * 1000);
watchdog.unref();

/** PostgreSQL and Redis answer, or the bench is skipped (the embedded default has no second database). */
async function servicesReachable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: pgBase, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
  } catch {
    return `no PostgreSQL at ${new URL(pgBase).host} (set DATABASE_URL or TEST_DATABASE_URL)`;
  } finally {
    await c.end().catch(() => {});
  }
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 3000 });
  const ok = await r.connect().then(() => r.ping(), () => null);
  r.disconnect();
  return ok ? null : `no Redis at ${new URL(redisUrl).host} (set REDIS_URL)`;
}

const residentPhone = (i: number) => `+3361${String(5000000 + i).padStart(7, '0')}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 2048 });
let webPorts: number[] = [];
let turn = 0;

/**
 * Posts one signed inbound SMS as Twilio does (15 s and it gives up); the text's record is filled
 * in. A kept-alive socket the server closed as we reused it is tried again once, on a new socket
 * (as HTTP clients do; the webhook is idempotent on the MessageSid).
 */
function postSms(text: SentText, retry = true): Promise<void> {
  const params: Record<string, string> = {
    MessageSid: text.sid, SmsSid: text.sid, SmsMessageSid: text.sid, AccountSid: ACCOUNT_SID, From: text.from, To: DEMO_GROUP.number,
    Body: text.body, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
  };
  const body = new URLSearchParams(params).toString();
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params);
  return new Promise((resolve) => {
    if (retry) text.postedAt = nowMs();
    const req = http.request({ host: '127.0.0.1', port: webPorts[turn++ % webPorts.length], path: '/twilio/sms', method: 'POST', agent, timeout: 15_000,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-twilio-signature': signature } }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (raw += d));
      res.on('end', () => {
        text.answeredAt = nowMs();
        text.status = res.statusCode ?? 0;
        // the old contract answers in the TwiML itself
        const m = /<Message[^>]*>([\s\S]*?)<\/Message>/.exec(raw);
        if (m) text.twimlReply = m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && err.code === 'ECONNRESET') {
        resolve(postSms(text, false));
        return;
      }
      text.answeredAt = nowMs();
      text.error = err.message;
      resolve();
    });
    req.end(body);
  });
}

/** Sends each text at its planned offset (ms from now), without waiting for the answers; resolves when all are answered. */
async function sendOnSchedule(texts: SentText[]): Promise<number> {
  const start = nowMs();
  const inFlight: Promise<void>[] = [];
  for (const t of [...texts].sort((a, b) => a.plannedMs - b.plannedMs)) {
    const wait = start + t.plannedMs - nowMs();
    if (wait > 1) await sleep(wait);
    inFlight.push(postSms(t));
  }
  await Promise.all(inFlight);
  return start;
}

function newText(from: string, body: string, expect: string, resident: number, step: number, plannedMs: number): SentText {
  return { sid: `SM${crypto.randomBytes(16).toString('hex')}`, from, body, expect, resident, step, plannedMs, postedAt: 0, answeredAt: 0, status: 0 };
}

async function main(): Promise<void> {
  const skip = await servicesReachable();
  if (skip) {
    console.log(`\ntext to reply: skipped (${skip})`);
    return;
  }
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const flush = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  await flush.flushdb();
  flush.disconnect();
  await migrateDeploy(databaseUrl);
  const db = createDb(databaseUrl, { poolMax: 8, applicationName: 'panier-bench-text' });
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 3, application_name: 'panier-bench-harness' });
  const recorder = await startTwilioRecorder({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbacksTo: CALLBACKS ? () => `http://127.0.0.1:${webPorts[0]}` : undefined });
  try {
    const { groupId } = await seedDemo(db);
    const total = WARM_UP + RESIDENTS + BURST;
    for (let i = 0; i < total; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, total - i) }, (_, j) => upsertCustomer(db, { groupId, phone: residentPhone(i + j), name: `Voisin ${i + j}` })));
    }
    // the server's connections are shared (max_connections): the services need them more than this
    await db.$disconnect();

    webPorts = await Promise.all(Array.from({ length: WEBS }, freePort));
    const env = {
      NODE_ENV: 'production', DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PUBLIC_BASE_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: recorder.url, SESSION_SECRET: 'bench-text', LOG_LEVEL: 'warn', SMS_SEGMENTS_PER_SECOND: '0', ...(process.env.BENCH_POOL ? { DATABASE_POOL_MAX: process.env.BENCH_POOL } : {}),
    };
    webPorts.forEach((port, i) => services.push(startService(`web${i + 1}`, 'web', { cwd: repo, logDir, env: { ...env, PORT: String(port) } })));
    // info: the worker says "worker started" when its queues listen
    for (let i = 0; i < WORKERS; i++) services.push(startService(`worker${i + 1}`, 'worker', { cwd: repo, logDir, env: { ...env, LOG_LEVEL: 'info' } }));
    await waitUntil('the web and worker processes to start', 120_000, async () => {
      const dead = services.find((s) => !alive(s));
      if (dead) throw new Error(`${dead.name} exited:\n${lastLines(dead, 30)}`);
      const webs = await Promise.all(webPorts.map((p) => fetch(`http://127.0.0.1:${p}/readyz`).then((r) => r.ok, () => false)));
      return webs.every(Boolean) && services.filter((s) => s.role === 'worker').every((s) => fs.readFileSync(s.log, 'utf8').includes('worker started'));
    });
    const stopSampling = sampleRss(services);

    // warm-up (JIT, pools, caches): a few residents' orders, answered before anything is measured
    const warm = Array.from({ length: WARM_UP }, (_, i) => newText(residentPhone(i), '2 baguettes', 'draft', i, 0, i * 20));
    await sendOnSchedule(warm);
    await settle(sql, recorder, warm, 60_000);
    // what the processes spend doing nothing (queue polls, the sweep): taken off the CPU per text
    await sleep(2000);
    const idleFrom = await cpuSnapshot(sql);
    const idleMs = 5000;
    await sleep(idleMs);
    const idle = cpuUsed(idleFrom, await cpuSnapshot(sql));

    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    // 1. steady: lane l sends every LANES/RATE s, its residents one after the other
    const perLane = Math.ceil(RESIDENTS / LANES);
    const steady: SentText[] = [];
    for (let r = 0; r < RESIDENTS; r++) {
      const lane = r % LANES;
      const j = Math.floor(r / LANES);
      script(r).forEach((s, k) => steady.push(newText(residentPhone(WARM_UP + r), s.body, s.expect, r, k, (lane * 1000) / RATE + ((j * STEPS + k) * LANES * 1000) / RATE)));
    }
    const commitsBefore = await commits(sql);
    const cpuBefore = await cpuSnapshot(sql);
    const cpuFrom = nowMs();
    const sessions = sampleSessions(sql);
    const steadyStart = await sendOnSchedule(steady);
    await settle(sql, recorder, steady, 60_000);
    const sessionStates = sessions.stop();
    const steadyCpu = cpuUsed(cpuBefore, await cpuSnapshot(sql));
    const cpuWindowMs = nowMs() - cpuFrom;
    await sleep(1500); // PostgreSQL publishes its counters within a second of a transaction's end
    const steadyCommits = (await commits(sql)) - commitsBefore;
    const steadyRss = new Map(services.map((s) => [s.name, s.peakRss]));

    // the burst is measured on an idle service: the steady phase's backlog, if any, drains first
    const backlog = await drained(sql, 120_000);
    // 2. burst: every resident of the reminder answers within BURST_SECONDS
    const burst = Array.from({ length: BURST }, (_, i) => newText(residentPhone(WARM_UP + RESIDENTS + i), ORDERS[i % ORDERS.length]!, 'draft', i, 0, (i * BURST_SECONDS * 1000) / BURST));
    const burstStart = await sendOnSchedule(burst);
    await settle(sql, recorder, burst, Math.max(60_000, 75_000 - (nowMs() - burstStart)));
    stopSampling();
    loopDelay.disable();
    await sleep(2000); // a reply sent twice would show now

    const mode = [...steady, ...burst].some((t) => t.twimlReply !== undefined) ? 'replies in the webhook TwiML (synchronous)' : 'replies through the worker and Twilio REST';
    console.log(`\ntext to reply: ${WEBS} web + ${WORKERS} worker process(es), PostgreSQL, sender pace off, status callbacks ${CALLBACKS ? 'on' : 'off'}; ${mode}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`);
    console.log(`steady: ${RESIDENTS} residents, ${steady.length} texts at ${RATE}/s over ${(steady.length / RATE).toFixed(0)} s (a resident's texts ${((LANES * 1000) / RATE).toFixed(0)} ms apart, ${perLane} residents a lane)`);
    const steadyFigures = await report(sql, recorder, steady, steadyStart, { perResidentOrder: true });
    console.log(`  database commits per text: ${(steadyCommits / steady.length).toFixed(1)} (every process: webhooks, worker, status callbacks${CALLBACKS ? '' : ' (off)'}, the sweep)`);
    // CPU time does not depend on what else the machine runs as much as latency does: it tells the capacity
    const busyMs = (name: string, ms: number) => Math.max(0, ms - ((idle.byService.get(name) ?? 0) * cpuWindowMs) / idleMs);
    const perText = (ms: number) => `${(ms / steady.length).toFixed(1)} ms`;
    const byService = [...steadyCpu.byService].map(([name, ms]) => [name, busyMs(name, ms)] as const);
    console.log(`  CPU per text (idle background taken off: ${[...idle.byService].map(([name, ms]) => `${name} ${((ms / idleMs) * 100).toFixed(0)} %`).join(', ')} of a core): ` +
      `${byService.map(([name, ms]) => `${name} ${perText(ms)}`).join(', ')}, PostgreSQL backends ${perText(steadyCpu.postgres)}` +
      ` → one core takes at most ${byService.map(([name, ms]) => `${(steady.length / (ms / 1000)).toFixed(0)} texts/s (${name})`).join(', ')}`);
    console.log(`  database sessions, on average while it ran (not idle): ${sessionStates.states.join('; ')}`);
    if (sessionStates.blockedOn.length) console.log(`  waiting on a lock, on average: ${sessionStates.blockedOn.join('; ')}`);
    const workers = services.filter((s) => s.role === 'worker');
    const workerPeak = Math.max(...workers.map((s) => steadyRss.get(s.name) ?? 0));
    goal(steadyFigures.p50 < 300, `text to reply p50 < 300 ms: ${steadyFigures.p50.toFixed(0)} ms`);
    goal(steadyFigures.p99 < 1000, `text to reply p99 < 1 s: ${steadyFigures.p99.toFixed(0)} ms`);
    goal(workerPeak < 300 * 1048576, `worker RSS < 300 MB: peak ${mb(workerPeak)} (web ${services.filter((s) => s.role === 'web').map((s) => mb(steadyRss.get(s.name) ?? 0)).join(', ')})`);
    goal(steadyFigures.outOfOrder === 0 && steadyFigures.wrongKind === 0, `each resident's replies in the order of their texts: ${steadyFigures.outOfOrder} residents out of order, ${steadyFigures.wrongKind} replies not the one the text calls for (residents whose texts were accepted in the order sent)`);
    goal(steadyFigures.missing === 0 && steadyFigures.twice === 0, `one reply per text: ${steadyFigures.missing} missing, ${steadyFigures.twice} answered more than once`);

    console.log(`burst: ${BURST} residents answering a reminder within ${BURST_SECONDS} s (${(BURST / BURST_SECONDS).toFixed(0)} texts/s)${backlog > 0 ? `, started with ${backlog} texts or replies of the steady phase still waiting (not drained in 120 s)` : backlog < 0 ? ' (the steady backlog could not be read)' : ''}`);
    const burstFigures = await report(sql, recorder, burst, burstStart, { perResidentOrder: false });
    goal(burstFigures.missing === 0, `none lost: ${burstFigures.missing} texts without a reply (${burstFigures.refused} webhooks refused or failed)`);
    goal(burstFigures.twice === 0, `none answered twice: ${burstFigures.twice}`);
    goal(burstFigures.lastReplyS <= 60 && burstFigures.missing === 0, `all answered within 60 s: the last reply ${burstFigures.lastReplyS.toFixed(1)} s after the burst began`);
    console.log(`worker RSS peak over both: ${workers.map((s) => mb(s.peakRss)).join(', ')}; bench process event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms (the load generator's own lag)`);
    const callbackFailures = recorder.callbackFailures();
    if (callbackFailures) console.log(`status callbacks refused or failed: ${callbackFailures}`);
    const crashed = services.filter((s) => !alive(s));
    if (crashed.length) {
      harnessFailed = true;
      for (const s of crashed) console.error(`${s.name} died during the run:\n${lastLines(s, 30)}`);
    }
  } finally {
    await sql.end();
    await db.$disconnect();
    await recorder.close();
  }
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const goal = (met: boolean, what: string) => console.log(`${met ? 'PASS' : 'MISS'} ${what}`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until no text or reply waits for the worker; returns how many still wait at the deadline (-1: unknown). */
async function drained(sql: pg.Pool, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    // texts the worker has not answered, and replies not yet handed to Twilio
    const n = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Message" WHERE (direction = 'inbound' AND "processedAt" IS NULL) OR (direction = 'outbound' AND status IN ('pending', 'sending'))`,
    ).then((r) => r.rows[0]!.n, () => -1);
    if (n === 0 || Date.now() > until) return n;
    await sleep(1000);
  }
}

interface CpuSnapshot { byService: Map<string, number>; backends: Map<number, number> }
async function cpuSnapshot(sql: pg.Pool): Promise<CpuSnapshot> {
  const { rows } = await sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return { byService: new Map(services.map((s) => [s.name, cpuMsOf(s.proc.pid)])), backends: new Map(rows.map((r) => [r.pid, cpuMsOf(r.pid)])) };
}
/** CPU used between two snapshots; a backend opened in between counts whole. */
function cpuUsed(before: CpuSnapshot, after: CpuSnapshot) {
  const byService = new Map([...after.byService].map(([name, ms]) => [name, ms - (before.byService.get(name) ?? 0)]));
  const postgres = [...after.backends].reduce((sum, [pid, ms]) => sum + ms - (before.backends.get(pid) ?? 0), 0);
  return { byService, postgres };
}

/** Transactions committed in the scratch database so far (a statement outside a transaction is one). */
async function commits(sql: pg.Pool): Promise<number> {
  const { rows } = await sql.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]?.n ?? 0);
}

async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

/** Waits until every text has a reply at the stand-in (or in its TwiML), or `timeoutMs` has passed. */
async function settle(sql: pg.Pool, recorder: TwilioRecorder, texts: SentText[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let waiting = texts.filter((t) => t.twimlReply === undefined && t.status >= 200 && t.status < 300);
  while (waiting.length && Date.now() < until) {
    // a loaded server may refuse a connection for a moment (too many clients): look again
    const rows = await sql.query<{ sid: string; id: string }>(
      `SELECT i."twilioSid" AS sid, o.id FROM "Message" i JOIN "Message" o ON o."inReplyToId" = i.id WHERE i."twilioSid" = ANY($1::text[])`, [waiting.map((t) => t.sid)]).then((r) => r.rows, () => []);
    const answered = new Set(rows.filter((r) => recorder.byMessageId.has(r.id)).map((r) => r.sid));
    waiting = waiting.filter((t) => !answered.has(t.sid));
    if (waiting.length) await sleep(500);
  }
}

try {
  await main();
} catch (err) {
  harnessFailed = true;
  console.error(`text-to-reply bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  for (const s of services) console.error(`--- ${s.name} (${s.log})\n${lastLines(s)}`);
}
await cleanup();
clearTimeout(watchdog);
agent.destroy();
process.exit(harnessFailed ? 1 : 0);
