// Something goes away in the middle of a burst of texts, and Twilio never retries an SMS webhook:
// - the database: every text is still answered 200, the ones it could not take wait in the Redis
//   journal; once it is back the worker re-accepts them and answers every text of the burst exactly
//   once (it is reached through a TCP proxy this test cuts: every open connection dropped, new
//   ones refused, and restores);
// - Redis: the database takes every text (200); the worker's poll finds the texts no job carries
//   and the sweep re-queues the replies left pending, so each is answered once when Redis is back;
// - both: 503, so that Twilio calls the fallback URL.
// Every reply is counted where Twilio receives it (nock), per text.
import crypto from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import nock from 'nock';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createGroupDirectory } from '../src/catalog/groups.js';
import { createDb, type Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { createSmsAcceptor } from '../src/sms/accept.js';
import { createSmsJournal, replayJournal, startJournalReplay } from '../src/sms/journal.js';
import { LogCapture, sign, smsParams, TEST_AUTH_TOKEN, TEST_PUBLIC_URL } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { fakeTwilio, startTestPipeline, waitFor } from './helpers/pipeline.js';
import { ownRedisServer } from './helpers/redisServer.js';
import { EMPTY_SMS_TWIML } from './helpers/sms.js';

// sized for a loaded 2-core machine: the property is the same at any size
const TEXTS = 30;
const OUTAGE_MS = 3_000;

/** A TCP proxy to PostgreSQL that can be cut (every socket destroyed, new ones refused) and restored. */
function databaseProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  return {
    get port() {
      return port;
    },
    async start(): Promise<void> {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => { client.destroy(); upstream.destroy(); });
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      port = (server!.address() as net.AddressInfo).port;
    },
    async cut(): Promise<void> {
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closing;
    },
  };
}

let db: Db;
let viaProxy: Db;
let proxy: ReturnType<typeof databaseProxy>;
let g: TestGroup;
let redis: Redis;
const prefix = `journal-${crypto.randomBytes(4).toString('hex')}:`;
const logs = new LogCapture();
const log = createLogger('debug', logs);
const silent = createLogger('silent');

beforeAll(async () => {
  let url: string;
  ({ db, url } = await useTestDatabase());
  g = await createTestGroup(db, { croissantStock: 1000 });
  proxy = databaseProxy(new URL(url));
  await proxy.start();
  const proxied = new URL(url);
  proxied.port = String(proxy.port);
  viaProxy = createDb(proxied.toString(), { poolMax: 4, onPoolError: () => {} });
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  // after a cut mid-transaction the pool may still count clients as checked out (seen: 2 of 4 with
  // @prisma/adapter-pg 6.19), and ending it would wait for them forever: ended or not in 5 s
  await Promise.race([viaProxy?.$disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 5_000))]);
  redis?.disconnect();
  nock.cleanAll();
});

function appWith(opts: { db: Db; redis: Redis; wake?: (messageId: string) => void; redisPrefix?: string }) {
  return createApp({
    config: { publicBaseUrl: TEST_PUBLIC_URL, twilio: { accountSid: 'AC' + '0'.repeat(32), authToken: TEST_AUTH_TOKEN, apiBaseUrl: undefined, demoMode: false } },
    db: opts.db, redis: opts.redis, log, redisPrefix: opts.redisPrefix ?? prefix, onSmsAccepted: opts.wake,
  });
}

type Text = ReturnType<typeof smsParams>;

/** Half orders, half AIDE, each from a resident of its own: a reply per resident is a reply per text. */
function burst(n: number): Text[] {
  return Array.from({ length: n }, (_, i) => smsParams(uniqueMobile(), g.number, i % 2 ? '2 baguettes' : 'AIDE'));
}

function post(app: ReturnType<typeof appWith>, p: Text) {
  return request(app).post('/twilio/sms').type('form').set('X-Twilio-Signature', sign('/twilio/sms', p)).send(p);
}

/**
 * Every text answered exactly once at Twilio, with what that text asks for (not the "not
 * understood" of a step that gave up), and recorded once: one inbound row, one reply row.
 */
async function expectEachAnsweredOnce(texts: Text[], twilio: ReturnType<typeof fakeTwilio>): Promise<void> {
  await waitFor('every text answered at Twilio', () => texts.every((p) => twilio.to(p.From).length >= 1), 90_000).catch(async (err: Error) => {
    const missing = texts.filter((p) => twilio.to(p.From).length === 0);
    const rows = await Promise.all(missing.map(async (p) => {
      const inbound = await db.message.findUnique({ where: { twilioSid: p.MessageSid }, select: { id: true, processedAt: true } });
      const reply = inbound && (await db.message.findFirst({ where: { inReplyToId: inbound.id }, select: { status: true, twilioSid: true, updatedAt: true } }));
      return { text: texts.indexOf(p), stored: Boolean(inbound), handled: Boolean(inbound?.processedAt), reply };
    }));
    throw new Error(`${err.message}: ${missing.length} of ${texts.length} not answered ${JSON.stringify(rows)}`);
  });
  // a reply sent twice would come right behind the first: give it the time to
  await new Promise((r) => setTimeout(r, 1_500));
  for (const p of texts) {
    const replies = twilio.to(p.From);
    expect(replies, `replies to text ${texts.indexOf(p)}`).toHaveLength(1);
    if (p.Body === 'AIDE') expect(replies[0]!.Body).toContain('CATALOGUE: les produits');
    else expect(replies[0]!.Body).toMatch(/^Vous commandez:\n2 Baguette tradition/);
    const inbound = await db.message.findMany({ where: { twilioSid: p.MessageSid } });
    expect(inbound).toHaveLength(1);
    expect(inbound[0]!.processedAt).not.toBeNull();
    expect(await db.message.count({ where: { inReplyToId: inbound[0]!.id } })).toBe(1);
  }
  expect(twilio.messages).toHaveLength(texts.length);
  expect(await db.order.count({ where: { customer: { phone: { in: texts.map((p) => p.From) } } } })).toBe(texts.filter((p) => p.Body !== 'AIDE').length);
}

describe('inbound SMS while the database is cut', () => {
  it('a burst with the database cut midway: every text taken (200), and each answered exactly once when it is back', async () => {
    nock.cleanAll();
    const twilio = fakeTwilio();
    // the worker's database goes away too: it is the same database. A reply whose sending failed
    // while it was away is left pending: the sweep (every minute; here every second) queues it again
    const worker = await startTestPipeline(viaProxy, silent, { prefix: `${prefix}q`, sweep: { everyMs: 1_000, stalePendingMs: 2_000 } });
    const wake = (id: string) => worker.pipeline.inbound.wake(id);
    const app = appWith({ db: viaProxy, redis, wake });
    const journal = createSmsJournal(redis, prefix);
    const replayDeps = {
      redis, journal, log,
      accept: createSmsAcceptor({ db: viaProxy, log, groups: createGroupDirectory(viaProxy), onAccepted: wake }),
      databaseUp: () => viaProxy.$queryRaw`SELECT 1`.then(() => true, () => false),
    };
    const replay = startJournalReplay({ ...replayDeps, intervalMs: 200 });
    const texts = burst(TEXTS);
    try {
      // the first third goes through; the database is cut while the rest arrive, some in flight
      const answers: request.Response[] = [];
      for (const p of texts.slice(0, 10)) answers.push(await post(app, p));
      const inFlight = Promise.all(texts.slice(10, 15).map((p) => post(app, p)));
      await proxy.cut();
      answers.push(...(await inFlight));
      for (const p of texts.slice(15)) answers.push(await post(app, p));

      expect(answers.map((a) => a.status)).toEqual(Array(TEXTS).fill(200));
      expect(answers.every((a) => a.text === EMPTY_SMS_TWIML)).toBe(true);
      const journaled = await journal.size();
      expect(journaled).toBeGreaterThanOrEqual(TEXTS - 15);

      // the worker and the replay try while the database is away: nothing lost, nothing counted
      // against the texts (a replay only counts a failure while the database answers)
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      expect(await journal.size()).toBe(journaled);
      expect(await redis.hlen(journal.keys.failures)).toBe(0);
      const answeredWhileCut = new Set(twilio.messages.map((m) => m.To));
      expect(texts.slice(15).some((p) => answeredWhileCut.has(p.From))).toBe(false);

      await proxy.start();
      await expectEachAnsweredOnce(texts, twilio);
      expect(await journal.size()).toBe(0);

      // the same text journaled again (a second worker, a restart before the LREM): re-accepted, not answered again
      const again = texts[TEXTS - 1]!;
      await journal.accept({ MessageSid: again.MessageSid, From: again.From, To: again.To, Body: again.Body });
      await waitFor('journal drained', async () => (await journal.size()) === 0, 10_000);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(twilio.to(again.From)).toHaveLength(1);
      expect(await db.message.count({ where: { twilioSid: again.MessageSid } })).toBe(1);
    } finally {
      await replay.stop();
      await worker.stop();
    }
  }, 180_000);

  it('a replay while the database is away keeps every text and counts no failure', async () => {
    const journal = createSmsJournal(redis, `${prefix}replay:`);
    const p = smsParams(uniqueMobile(), g.number, 'AIDE');
    await journal.accept({ MessageSid: p.MessageSid, From: p.From, To: p.To, Body: p.Body });
    await proxy.cut();
    const deps = {
      redis, journal, log,
      accept: createSmsAcceptor({ db: viaProxy, log, groups: createGroupDirectory(viaProxy) }),
      databaseUp: () => viaProxy.$queryRaw`SELECT 1`.then(() => true, () => false),
    };
    try {
      expect(await replayJournal(deps)).toBe(0);
      expect(await journal.size()).toBe(1);
      expect(await redis.hlen(journal.keys.failures)).toBe(0);
    } finally {
      await proxy.start();
    }
    // back: stored once, waiting for the worker, however often it is replayed
    expect(await replayJournal(deps)).toBe(1);
    await journal.accept({ MessageSid: p.MessageSid, From: p.From, To: p.To, Body: p.Body });
    expect(await replayJournal(deps)).toBe(1);
    const stored = await db.message.findMany({ where: { twilioSid: p.MessageSid } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ direction: 'inbound', body: 'AIDE', processedAt: null });
    await db.message.update({ where: { id: stored[0]!.id }, data: { processedAt: new Date() } });
  });

  it('answers 503 when neither the database nor Redis can keep the text (Twilio then calls the fallback URL)', async () => {
    const deadRedis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    deadRedis.on('error', () => {});
    await proxy.cut();
    try {
      const p = smsParams(uniqueMobile(), g.number, 'AIDE');
      const res = await post(appWith({ db: viaProxy, redis: deadRedis }), p);
      expect(res.status).toBe(503);
      expect(res.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      deadRedis.disconnect();
      await proxy.start();
    }
  });

  it('keeps a text posted to the fallback URL in the journal without touching the database', async () => {
    await proxy.cut();
    try {
      const journal = createSmsJournal(redis, prefix);
      await redis.del(journal.keys.pending);
      const p = smsParams(uniqueMobile(), g.number, '1 baguette');
      const app = appWith({ db: viaProxy, redis });
      const res = await request(app).post('/twilio/sms/fallback').type('form').set('X-Twilio-Signature', sign('/twilio/sms/fallback', p)).send(p);
      expect(res.status).toBe(200);
      expect(res.text).toBe(EMPTY_SMS_TWIML);
      expect(JSON.parse((await redis.lindex(journal.keys.pending, 0))!)).toEqual({ MessageSid: p.MessageSid, From: p.From, To: p.To, Body: '1 baguette' });
      const forged = await request(app).post('/twilio/sms/fallback').type('form').set('X-Twilio-Signature', sign('/twilio/sms', p)).send(p);
      expect(forged.status).toBe(403);
      expect(await journal.size()).toBe(1);
      await redis.del(journal.keys.pending);
    } finally {
      await proxy.start();
    }
  });
});

describe('inbound SMS while Redis is down', () => {
  // restarted empty, as CI's Redis: the database is the only record of what waits
  const server = ownRedisServer({ persistent: false });

  afterAll(async () => (await server).remove());

  it('a burst with Redis stopped midway: the database takes every text (200), and each is answered exactly once when Redis is back', async () => {
    const own = await server;
    await own.start();
    nock.cleanAll();
    const twilio = fakeTwilio();
    // the sweep re-queues replies left pending (their queueing failed) after 2 s, every second
    const worker = await startTestPipeline(db, silent, { redisUrl: own.url, sweep: { everyMs: 1_000, stalePendingMs: 2_000 } });
    const webRedis = new Redis(own.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    webRedis.on('error', () => {});
    const app = appWith({ db, redis: webRedis, wake: (id) => worker.pipeline.inbound.wake(id), redisPrefix: `${prefix}r:` });
    const texts = burst(TEXTS);
    try {
      const answers: request.Response[] = [];
      for (const p of texts.slice(0, 10)) answers.push(await post(app, p));
      const inFlight = Promise.all(texts.slice(10, 15).map((p) => post(app, p)));
      await own.stop();
      answers.push(...(await inFlight));
      for (const p of texts.slice(15)) answers.push(await post(app, p));

      expect(answers.map((a) => a.status)).toEqual(Array(TEXTS).fill(200));
      expect(answers.every((a) => a.text === EMPTY_SMS_TWIML)).toBe(true);
      // every text is in the database, whatever became of Redis
      expect(await db.message.count({ where: { twilioSid: { in: texts.map((p) => p.MessageSid) } } })).toBe(TEXTS);

      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      // nothing could be queued while Redis was away
      const answeredWhileDown = new Set(twilio.messages.map((m) => m.To));
      expect(texts.slice(15).some((p) => answeredWhileDown.has(p.From))).toBe(false);
      await own.start();

      await expectEachAnsweredOnce(texts, twilio);
    } finally {
      webRedis.disconnect();
      await worker.stop();
      await own.stop();
    }
  }, 180_000);
});
