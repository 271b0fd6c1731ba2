// Login timing: an unknown email must cost what a known one costs, or the answer's delay tells
// which addresses have an account. A ratio of medians, measured here rather than asserted in a
// test (a shared machine's noise would make such a test flaky).
// DATABASE_URL=postgresql://… REDIS_URL=redis://… npx tsx scripts/bench/loginTiming.ts
import crypto from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { createDb } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';

const ROUNDS = Number(process.env.BENCH_LOGINS ?? 40);
const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!databaseUrl || !redisUrl) {
  console.log('login timing: skipped (set DATABASE_URL, a migrated database, and REDIS_URL)');
  process.exit(0);
}

const db = createDb(databaseUrl, { poolMax: 2 });
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
const tag = crypto.randomBytes(4).toString('hex');
const group = await db.group.create({ data: { slug: `bench-login-${tag}`, name: 'Bench login' } });
const email = `known-${tag}@bench.test`;
await db.staffUser.create({ data: { groupId: group.id, role: 'operator', name: 'Bench', email, passwordHash: await hash('the right one') } });
const app = createApp({
  config: { publicBaseUrl: 'http://bench.test', twilio: { accountSid: `AC${'0'.repeat(32)}`, authToken: 'bench', apiBaseUrl: undefined, demoMode: false } },
  db, redis, log: createLogger('silent'), redisPrefix: `bench-${tag}:`, anonymousPerMinute: 1e9,
  // no throttling here: only the cost of one refused login is measured
  loginThrottle: { accountFailures: 1e9, addressFailures: 1e9 },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const agent = request.agent(app);
  const token = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/console/login')).text)![1]!;
  const time = async (who: string) => {
    const start = process.hrtime.bigint();
    const res = await agent.post('/console/login').type('form').send({ email: who, password: 'wrong', _csrf: token });
    if (res.status !== 401) throw new Error(`expected 401, got ${res.status}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  await time(email); // warm-up (the dummy hash is computed once)
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    known.push(await time(email));
    unknown.push(await time(`nobody-${i}-${tag}@bench.test`));
  }
  const k = median(known);
  const u = median(unknown);
  console.log(`login refused, median of ${ROUNDS}: known email ${k.toFixed(1)} ms, unknown email ${u.toFixed(1)} ms, ratio ${(u / k).toFixed(2)} (goal: 0.8 to 1.25)`);
} finally {
  await db.staffUser.deleteMany({ where: { groupId: group.id } });
  await db.group.delete({ where: { id: group.id } });
  await db.$disconnect();
  redis.disconnect();
}
