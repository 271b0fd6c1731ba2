// The database goes away in the middle of a burst of texts: every text is answered 200 (so Twilio,
// which never retries an SMS webhook, has nothing to lose), kept in the Redis journal, and handled
// exactly once when the database is back. The database is reached through a TCP proxy this test
// starts and stops: stopping it cuts every open connection and refuses new ones.
import crypto from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import nock from 'nock';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp, createInboundSms } from '../src/app.js';
import { PRIORITY } from '../src/delivery/sender.js';
import { createDb, type Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { createSmsJournal, replayJournal } from '../src/sms/journal.js';
import { createLateReply } from '../src/sms/lateReply.js';
import { LogCapture, sign, smsParams, TEST_AUTH_TOKEN, TEST_PUBLIC_URL } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { fakeTwilio, startTestPipeline, waitFor } from './helpers/pipeline.js';

const TEXTS = 30;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

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

beforeAll(async () => {
  let url: string;
  ({ db, url } = await useTestDatabase());
  g = await createTestGroup(db);
  proxy = databaseProxy(new URL(url));
  await proxy.start();
  const proxied = new URL(url);
  proxied.port = String(proxy.port);
  // short connection timeout: while the proxy is cut, new connections are refused at once anyway
  viaProxy = createDb(proxied.toString(), { poolMax: 4, onPoolError: () => {} });
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await viaProxy?.$disconnect().catch(() => {});
  redis?.disconnect();
  nock.cleanAll();
});

function appWith(redisClient: Redis) {
  return createApp({
    config: { publicBaseUrl: TEST_PUBLIC_URL, twilio: { accountSid: 'AC' + '0'.repeat(32), authToken: TEST_AUTH_TOKEN, apiBaseUrl: undefined, demoMode: false } },
    db: viaProxy, redis: redisClient, log, redisPrefix: prefix,
  });
}

describe('inbound SMS while the database is cut', () => {
  it('answers every text of a burst, journals what the database could not take, and replays each once', async () => {
    const app = appWith(redis);
    const journal = createSmsJournal(redis, prefix);
    const texts = Array.from({ length: TEXTS }, (_, i) => smsParams(uniqueMobile(), g.number, i % 2 ? '2 baguettes' : 'AIDE'));
    const send = (p: Record<string, string>) => request(app).post('/twilio/sms').type('form').set('X-Twilio-Signature', sign('/twilio/sms', p)).send(p);

    // the first third goes through; the database is cut while the rest arrive, some in flight
    const answers: request.Response[] = [];
    for (const p of texts.slice(0, 10)) answers.push(await send(p));
    const inFlight = Promise.all(texts.slice(10, 15).map(send));
    await proxy.cut();
    answers.push(...(await inFlight));
    for (const p of texts.slice(15)) answers.push(await send(p));

    expect(answers.map((a) => a.status)).toEqual(Array(TEXTS).fill(200));
    const emptyAnswers = answers.filter((a) => a.text === EMPTY_TWIML).length;
    expect(emptyAnswers).toBeGreaterThanOrEqual(TEXTS - 15);
    expect(await journal.size()).toBe(emptyAnswers);

    // the worker tries while the database is still away: nothing is lost, nothing counted against the texts
    const twilio = fakeTwilio();
    const worker = await startTestPipeline(db, createLogger('silent'));
    const replay = {
      redis, journal, log,
      handle: createInboundSms({ db: viaProxy, log }),
      sendLateReply: createLateReply({ db: viaProxy, enqueue: (m) => worker.pipeline.senders.enqueue(m), priority: PRIORITY.dispatch }),
      databaseUp: () => viaProxy.$queryRaw`SELECT 1`.then(() => true, () => false),
    };
    try {
      expect(await replayJournal(replay)).toBe(0);
      expect(await journal.size()).toBe(emptyAnswers);
      expect(await redis.hlen(journal.keys.failures)).toBe(0);

      await proxy.start();
      expect(await replayJournal(replay)).toBe(emptyAnswers);
      expect(await journal.size()).toBe(0);

      // every text handled once: one inbound row and one reply each
      for (const p of texts) {
        const inbound = await db.message.findMany({ where: { twilioSid: p.MessageSid } });
        expect(inbound).toHaveLength(1);
        expect(await db.message.count({ where: { inReplyToId: inbound[0]!.id } })).toBe(1);
      }
      // the replies the webhook could not give leave by the queue, once each; the others were in the TwiML
      const journaled = texts.filter((_, i) => answers[i]!.text === EMPTY_TWIML);
      await waitFor('late replies sent', () => journaled.every((p) => twilio.to(p.From).length === 1));
      expect(twilio.messages).toHaveLength(journaled.length);

      // a replay run again (a second worker, a restart before the LREM) changes nothing
      await journal.accept({ MessageSid: journaled[0]!.MessageSid, From: journaled[0]!.From, To: g.number, Body: journaled[0]!.Body });
      expect(await replayJournal(replay)).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(twilio.to(journaled[0]!.From)).toHaveLength(1);
      expect(await db.message.count({ where: { twilioSid: journaled[0]!.MessageSid } })).toBe(1);
      expect(await db.order.count({ where: { customer: { phone: { in: texts.map((p) => p.From) } } } })).toBe(TEXTS / 2);
    } finally {
      await worker.stop();
    }
    // a heavy scenario: room for a loaded machine
  }, 120_000);

  it('answers 503 when neither the database nor Redis can keep the text (Twilio then calls the fallback URL)', async () => {
    const deadRedis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    deadRedis.on('error', () => {});
    await proxy.cut();
    try {
      const p = smsParams(uniqueMobile(), g.number, 'AIDE');
      const res = await request(appWith(deadRedis)).post('/twilio/sms').type('form').set('X-Twilio-Signature', sign('/twilio/sms', p)).send(p);
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
      const res = await request(appWith(redis)).post('/twilio/sms/fallback').type('form').set('X-Twilio-Signature', sign('/twilio/sms/fallback', p)).send(p);
      expect(res.status).toBe(200);
      expect(res.text).toBe(EMPTY_TWIML);
      expect(JSON.parse((await redis.lindex(journal.keys.pending, 0))!)).toEqual({ MessageSid: p.MessageSid, From: p.From, To: p.To, Body: '1 baguette' });
      const forged = await request(appWith(redis)).post('/twilio/sms/fallback').type('form').set('X-Twilio-Signature', sign('/twilio/sms', p)).send(p);
      expect(forged.status).toBe(403);
      expect(await journal.size()).toBe(1);
      await redis.del(journal.keys.pending);
    } finally {
      await proxy.start();
    }
  });
});
