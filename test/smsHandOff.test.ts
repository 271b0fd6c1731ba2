// The web side's hand-off (start:web): a text the webhook stored is queued for the workers at once
// (a job whose id is the message's), so that no worker waits for its poll; while Redis is away
// nothing is queued and nothing fails (the poll finds the text later).
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { createInboundQueuer } from '../src/sms/inboundQueue.js';
import { buildTestApp } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { waitFor } from './helpers/pipeline.js';
import { EMPTY_SMS_TWIML, postSms } from './helpers/sms.js';

let db: Db;
let g: TestGroup;
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
const prefix = `t-handoff-${crypto.randomBytes(4).toString('hex')}`;
const queuer = createInboundQueuer(redis, prefix, createLogger('silent'));

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
});

afterAll(async () => {
  await queuer.queue.obliterate({ force: true }).catch(() => {});
  await queuer.close();
  redis.disconnect();
});

describe('the web side hands each accepted text to the workers', () => {
  it('queues a job named by the message id as soon as the text is stored, once per text', async () => {
    const web = buildTestApp(db, { onSmsAccepted: queuer.wake });
    const from = uniqueMobile();
    const { res, sid } = await postSms(web.app, from, g.number, '2 baguettes');
    expect(res.status).toBe(200);
    expect(res.text).toBe(EMPTY_SMS_TWIML);
    const stored = await db.message.findUniqueOrThrow({ where: { twilioSid: sid } });
    const job = await waitFor('the text queued', () => queuer.queue.getJob(stored.id));
    expect(job.data).toEqual({ messageId: stored.id });

    // Twilio retrying the same webhook: the text is stored once, no second job
    await postSms(web.app, from, g.number, '2 baguettes', sid);
    expect(await db.message.count({ where: { twilioSid: sid } })).toBe(1);
    expect(await queuer.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active')).toMatchObject({ waiting: 1 });
  });

  it('while Redis is away, the text is stored and answered 200, and nothing is queued or thrown', async () => {
    const away = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    const offline = createInboundQueuer(away, prefix, createLogger('silent'));
    try {
      const web = buildTestApp(db, { onSmsAccepted: offline.wake });
      const { res, sid } = await postSms(web.app, uniqueMobile(), g.number, '3 baguettes');
      expect(res.status).toBe(200);
      const stored = await db.message.findUniqueOrThrow({ where: { twilioSid: sid } });
      expect(stored.processedAt).toBeNull();
      expect(await queuer.queue.getJob(stored.id)).toBeUndefined();
    } finally {
      away.disconnect();
    }
  });
});
