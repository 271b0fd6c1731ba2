// The web side's hand-off (start:web): a text the webhook stored is announced on Redis, and a worker
// hearing it queues its job (named by the message id) at once, so that no text waits for the poll;
// while Redis is away nothing is attempted and nothing fails (the poll finds the text later).
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { createAcceptedAnnouncer, createInboundQueue, listenForAccepted, queueText } from '../src/sms/inboundQueue.js';
import { buildTestApp } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { waitFor } from './helpers/pipeline.js';
import { EMPTY_SMS_TWIML, postSms } from './helpers/sms.js';

let db: Db;
let g: TestGroup;
const log = createLogger('silent');
const prefix = `t-handoff-${crypto.randomBytes(4).toString('hex')}`;
// the web process's connection (fails fast) and the worker's: its queue, its listener
const web = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
const workerRedis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
const listener = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
const queue = createInboundQueue(workerRedis, prefix);
const heard: string[] = [];

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  await listenForAccepted(listener, prefix, log, (id) => {
    heard.push(id);
    void queueText(queue, id);
  }).subscribed;
  await new Promise<void>((resolve) => (web.status === 'ready' ? resolve() : web.once('ready', () => resolve())));
});

afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  for (const r of [web, workerRedis, listener]) r.disconnect();
});

describe('the web side hands each accepted text to the workers', () => {
  it('announces the stored text, and the worker hearing it queues a job named by the message id', async () => {
    const app = buildTestApp(db, { onSmsAccepted: createAcceptedAnnouncer(web, prefix, log) }).app;
    const from = uniqueMobile();
    const { res, sid } = await postSms(app, from, g.number, '2 baguettes');
    expect(res.status).toBe(200);
    expect(res.text).toBe(EMPTY_SMS_TWIML);
    const stored = await db.message.findUniqueOrThrow({ where: { twilioSid: sid } });
    const job = await waitFor('the text queued', () => queue.getJob(stored.id));
    expect(job.data).toEqual({ messageId: stored.id });

    // Twilio retrying the same webhook: the text is stored once, and announced once
    await postSms(app, from, g.number, '2 baguettes', sid);
    expect(await db.message.count({ where: { twilioSid: sid } })).toBe(1);
    expect(heard.filter((id) => id === stored.id)).toHaveLength(1);
  });

  it('while Redis is away, the text is stored and answered 200, and nothing is announced or thrown', async () => {
    const away = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    try {
      const app = buildTestApp(db, { onSmsAccepted: createAcceptedAnnouncer(away, prefix, log) }).app;
      const { res, sid } = await postSms(app, uniqueMobile(), g.number, '3 baguettes');
      expect(res.status).toBe(200);
      const stored = await db.message.findUniqueOrThrow({ where: { twilioSid: sid } });
      expect(stored.processedAt).toBeNull();
      expect(heard).not.toContain(stored.id);
    } finally {
      away.disconnect();
    }
  });
});
