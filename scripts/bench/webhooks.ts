// npm run bench: throughput and latency of POST /twilio/sms (valid signatures, many phones) against
// a bare Express 5 route answering a fixed TwiML and against the ceiling (bare Express + the
// signature check + one INSERT through a plain pg Pool: the least a webhook that must not lose a
// message can do), measured in one run, reported as ratios.
// Uses DATABASE_URL / REDIS_URL when set, else the embedded defaults in a temporary directory.
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import twilio from 'twilio';
import { loadConfig } from '../../src/config.js';
import { openDatabase, openRedisServer } from '../../src/platform/infrastructure.js';
import { createLogger } from '../../src/platform/logger.js';
import { prepareVoiceCalls } from './voiceCalls.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// distinct signed messages: more than the SMS route can take in SECONDS, so none is a duplicate
const SIGNED = Number(process.env.BENCH_SIGNED ?? 40_000);
const AUTH_TOKEN = 'bench-auth-token';
const PUBLIC_BASE_URL = 'https://bench.panier.example';
const here = path.dirname(fileURLToPath(import.meta.url));

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-bench-'));
const config = { ...loadConfig(), dataDir };
const log = createLogger('warn');
const redisServer = await openRedisServer(config, log);
const database = await openDatabase(config, log);
const { db } = database;

// a group with a number, and many residents texting it
const number = `+3397${crypto.randomInt(1_000_000, 9_999_999)}`;
await db.group.create({ data: { slug: `bench-${crypto.randomBytes(4).toString('hex')}`, name: 'Panier du banc', numbers: { create: [{ phone: number }] } } });

function signedSms(i: number): { body: string; signature: string } {
  const sid = `SM${crypto.randomBytes(16).toString('hex')}`;
  const params: Record<string, string> = {
    MessageSid: sid, SmsSid: sid, AccountSid: 'AC' + '0'.repeat(32), From: `+336${String(10_000_000 + (i % 5000)).slice(-8)}`,
    To: number, Body: `${1 + (i % 4)} baguettes et 6 oeufs`, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
  };
  return { body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params) };
}
// signed beforehand: the load generator must not spend its CPU on HMACs while measuring
const smsRequests = Array.from({ length: SIGNED }, (_, i) => signedSms(i));

// the embedded server is one session taking two connections: one here, one for the server child
const poolMax = database.embedded ? 1 : Number(process.env.BENCH_POOL ?? 10);
const child = fork(path.join(here, 'server.ts'), [database.url, redisServer.url, AUTH_TOKEN, PUBLIC_BASE_URL, String(poolMax), database.embedded ? '' : database.url], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('tmp/prof')}`] : [])] });
const ports = await new Promise<{ appPort: number; baselinePort: number; ceilingPort: number | null }>((resolve) => child.once('message', (m) => resolve(m as never)));

// calls in progress, their state in Redis: key 2 at the main menu, and key 1 confirming an order
const voiceRedis = new Redis(redisServer.url);
const voice = await prepareVoiceCalls({
  db, redis: voiceRedis, appUrl: `http://127.0.0.1:${ports.appPort}`, authToken: AUTH_TOKEN, publicBaseUrl: PUBLIC_BASE_URL,
  keypressCalls: Number(process.env.BENCH_CALLS ?? 20_000), confirmationCalls: Number(process.env.BENCH_CONFIRMATIONS ?? 8_000),
});

interface Figures { rps: number; p50: number; p99: number; non2xx: number; errors: number }
async function load(url: string, requests: autocannon.Request[], connections = CONNECTIONS): Promise<Figures> {
  const result = await autocannon({ url, connections, duration: SECONDS, requests, pipelining: 1 });
  return { rps: result.requests.total / ((result.finish.getTime() - result.start.getTime()) / 1000), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

/** Posts the pre-signed requests one after the other; `sent()` tells how many went out. */
function signedLoad(path: string, signed: { body: string; signature: string }[]) {
  let sent = 0;
  const requests: autocannon.Request[] = [{
    method: 'POST', path,
    setupRequest: (req) => {
      const r = signed[sent++ % signed.length]!;
      return { ...req, body: r.body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': r.signature } };
    },
  }];
  return { requests, sent: () => sent };
}
const smsLoad = signedLoad('/twilio/sms', smsRequests);
const baselineLoad: autocannon.Request[] = [{ method: 'POST', path: '/baseline', body: smsRequests[0]!.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }];

// warm both up, then measure
await autocannon({ url: `http://127.0.0.1:${ports.baselinePort}`, connections: 10, amount: 500, requests: baselineLoad });
// BENCH_PROFILE: profile the SMS route alone (the baseline would blur the server's profile)
const skipped: Figures = { rps: NaN, p50: NaN, p99: NaN, non2xx: 0, errors: 0 };
const baseline = process.env.BENCH_PROFILE ? skipped : await load(`http://127.0.0.1:${ports.baselinePort}`, baselineLoad);
// the ceiling takes the same signed messages (its own table: none is a duplicate there)
const ceiling = process.env.BENCH_PROFILE || ports.ceilingPort === null ? skipped : await load(`http://127.0.0.1:${ports.ceilingPort}`, signedLoad('/twilio/sms', smsRequests).requests);
const sms = await load(`http://127.0.0.1:${ports.appPort}`, smsLoad.requests);
const voiceLoad = signedLoad('/twilio/voice/step?seq=1', voice.keypress);
const voiceStep = await load(`http://127.0.0.1:${ports.appPort}`, voiceLoad.requests);
const confirmLoad = signedLoad('/twilio/voice/step?seq=1', voice.confirmation);
const confirmStep = await load(`http://127.0.0.1:${ports.appPort}`, confirmLoad.requests);
// confirmations of one distribution take its row lock one after the other (placeOrder): at 50 at
// once each waits for the others; five callers confirming in the same instant is already a lot.
// The orders autocannon left in flight finish first (they would queue ahead of these)
await new Promise((r) => setTimeout(r, 5_000));
const confirmFew = await load(`http://127.0.0.1:${ports.appPort}`, confirmLoad.requests, 5);
const voiceOrders = await db.order.count({ where: { distributionId: voice.distributionId, channel: 'voice' } });
const stored = await db.message.count({ where: { direction: 'inbound', toPhone: number } });

const percent = (a: Figures, b: Figures) => `${((a.rps / b.rps) * 100).toFixed(1)} %`;
const row = (name: string, f: Figures) =>
  `${name.padEnd(32)} ${f.rps.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms   ` +
  `${percent(f, baseline).padStart(7)} of bare   ${percent(f, ceiling).padStart(7)} of ceiling   non-2xx ${f.non2xx}   errors ${f.errors}`;
const goal = (met: boolean, what: string) => console.log(`${met ? 'PASS' : 'MISS'} ${what}`);
console.log(`\nwebhook benchmark: ${SECONDS} s each, ${CONNECTIONS} connections, database ${database.embedded ? 'embedded PGlite' : 'PostgreSQL'}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`);
console.log(row('baseline (bare Express TwiML)', baseline));
console.log(row('ceiling (signature + 1 INSERT)', ceiling));
if (ports.ceilingPort === null) console.log('ceiling: not measured on the embedded PGlite (one connection per process): set DATABASE_URL');
console.log(row('POST /twilio/sms (signed)', sms));
goal(sms.rps >= 0.5 * ceiling.rps, `sms webhook >= 50 % of the ceiling: ${percent(sms, ceiling)}`);
goal(sms.rps >= 0.15 * baseline.rps, `sms webhook >= 15 % of bare Express: ${percent(sms, baseline)}`);
goal(sms.p99 < 100, `sms webhook p99 < 100 ms: ${sms.p99} ms`);
goal(sms.non2xx === 0 && sms.errors === 0, `sms webhook answered every request 2xx: ${sms.non2xx} non-2xx, ${sms.errors} errors`);
console.log(row('POST /twilio/voice/step (key 2)', voiceStep));
const voiceRatio = voiceStep.rps / baseline.rps;
console.log(`ratio voice keypress/baseline throughput: ${(voiceRatio * 100).toFixed(1)} %  (goal >= 25 %: ${voiceRatio >= 0.25 ? 'met' : 'NOT met'}); keypress p99 ${voiceStep.p99} ms (goal < 100 ms: ${voiceStep.p99 < 100 ? 'met' : 'NOT met'})`);
console.log(row('POST /twilio/voice/step (confirm)', confirmStep));
console.log(`ratio voice confirmation/baseline throughput: ${((confirmStep.rps / baseline.rps) * 100).toFixed(1)} %; confirmation p99 ${confirmStep.p99} ms (goal < 250 ms: ${confirmStep.p99 < 250 ? 'met' : 'NOT met'}); orders placed by voice: ${voiceOrders}`);
console.log(row('  … at 5 connections', confirmFew));
if (voiceLoad.sent() > voice.keypress.length) console.log(`warning: ${voiceLoad.sent() - voice.keypress.length} voice steps replayed a finished step: raise BENCH_CALLS`);
if (confirmLoad.sent() > voice.confirmation.length) console.log(`warning: ${confirmLoad.sent() - voice.confirmation.length} confirmations replayed (answered from the receipt): raise BENCH_CONFIRMATIONS`);
console.log(`inbound messages stored: ${stored} (one per signed request answered)`);
if (smsLoad.sent() > smsRequests.length) console.log(`warning: ${smsLoad.sent() - smsRequests.length} requests reused a MessageSid (duplicates): raise BENCH_SIGNED`);

child.send('stop');
await new Promise((r) => child.once('exit', r));
// on a DATABASE_URL the next benches share: the texts stored here are marked handled and the voice
// orders' events published, or the next bench's worker would spend its time on them
const benchGroups = [...new Set((await db.groupNumber.findMany({ where: { phone: { in: [number, voice.number] } }, select: { groupId: true } })).map((g) => g.groupId))];
await db.message.updateMany({ where: { groupId: { in: benchGroups }, direction: 'inbound', processedAt: null }, data: { processedAt: new Date() } });
await db.outboxEvent.updateMany({ where: { groupId: { in: benchGroups }, processedAt: null }, data: { processedAt: new Date(), publishedAt: new Date() } });
// after the server's last step (it answers what it took in before it stops)
await voice.forget();
voiceRedis.disconnect();
await database.close();
await redisServer.close();
fs.rmSync(dataDir, { recursive: true, force: true });
