// Hands accepted texts to the conversation: a BullMQ job per text (its id, nothing else: job data
// sits in clear in Redis), woken by the webhook's NOTIFY (or in-process when web and worker share
// a process), and a poll that finds texts no job carries (Redis was down, a NOTIFY was missed).
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { QUEUE_NAMES } from '../platform/queues.js';
import { INBOUND_SMS_CHANNEL } from './accept.js';
import type { InboundProcessor } from './inboundProcessor.js';

export const INBOUND_SMS_QUEUE = QUEUE_NAMES.inboundSms;

export interface InboundTextJob {
  messageId: string;
}

export interface InboundWorkerSettings {
  /** texts answered at once (different residents; one resident's texts are always one at a time) */
  concurrency: number;
  /** how often texts no job carries are looked for */
  pollMs: number;
  /** a text younger than this is left to its NOTIFY */
  pollGraceMs: number;
  /** a resident held by another worker: looked at again after this */
  busyDelayMs: number;
  attempts: number;
  backoffMs: number;
}

export const DEFAULT_INBOUND_SETTINGS: InboundWorkerSettings = { concurrency: 8, pollMs: 1_000, pollGraceMs: 2_000, busyDelayMs: 25, attempts: 5, backoffMs: 500 };

export interface InboundWorkerDeps {
  db: Db;
  producer: Redis;
  workerConnection: Redis;
  prefix: string;
  log: Logger;
  processor: InboundProcessor;
  /** PostgreSQL URL to LISTEN on (not the embedded PGlite: one session only) */
  listenUrl?: string;
  settings?: Partial<InboundWorkerSettings>;
}

export function startInboundWorker(deps: InboundWorkerDeps) {
  const settings = { ...DEFAULT_INBOUND_SETTINGS, ...deps.settings };
  const log = deps.log.child({ module: 'sms-worker' });
  const queue = new Queue<InboundTextJob>(INBOUND_SMS_QUEUE, {
    connection: deps.producer as ConnectionOptions,
    prefix: deps.prefix,
    defaultJobOptions: {
      removeOnComplete: { age: 3600, count: 10_000 },
      // a job that failed every attempt (the database away for long) is dropped: the poll gives the
      // text a new job once the database answers (a kept failed job would block its id)
      removeOnFail: true,
      attempts: settings.attempts,
      backoff: { type: 'exponential', delay: settings.backoffMs, jitter: 0.5 },
    },
  });
  queue.on('error', (err) => log.warn({ err }, 'inbound SMS queue error'));

  const worker = new Worker<InboundTextJob>(
    INBOUND_SMS_QUEUE,
    async (job: Job<InboundTextJob>, token?: string) => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await deps.processor.processText(job.data.messageId, { lastAttempt });
      if (outcome === 'busy') {
        // another worker answers this resident's texts, in order: look again in a moment
        await job.moveToDelayed(Date.now() + settings.busyDelayMs, token);
        throw new DelayedError();
      }
    },
    { connection: deps.workerConnection as ConnectionOptions, prefix: deps.prefix, concurrency: settings.concurrency },
  );
  worker.on('error', (err) => log.error({ err }, 'inbound SMS worker error'));
  worker.on('failed', (job, err) => log.warn({ err, messageId: job?.data.messageId, attempt: job?.attemptsMade }, 'inbound SMS not answered yet'));

  /** A job for this text (its id as job id: woken twice, answered once). */
  async function wake(messageId: string): Promise<void> {
    await queue.add('text', { messageId }, { jobId: messageId });
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  async function poll(): Promise<void> {
    const waiting = await deps.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Message"
      WHERE direction = 'inbound' AND "processedAt" IS NULL AND "createdAt" < now() - make_interval(secs => ${settings.pollGraceMs / 1000})
      ORDER BY "createdAt" LIMIT 1000`;
    if (waiting.length > 0) await queue.addBulk(waiting.map((w) => ({ name: 'text', data: { messageId: w.id }, opts: { jobId: w.id } })));
  }
  const tick = () => {
    if (stopped) return;
    polling = poll()
      .catch((err: unknown) => log.warn({ err }, 'looking for waiting texts failed: trying again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, settings.pollMs);
      });
  };
  tick();

  let listener: pg.Client | undefined;
  if (deps.listenUrl) {
    const client = new pg.Client({ connectionString: deps.listenUrl, application_name: 'panier-inbound-listen' });
    listener = client;
    client.on('notification', (n) => {
      if (n.payload) wake(n.payload).catch((err: unknown) => log.warn({ err }, 'inbound SMS job not queued: the poll will'));
    });
    // a lost listening connection only means answering at the poll's pace
    client.on('error', (err) => log.warn({ err }, 'inbound SMS LISTEN connection lost; polling only'));
    client
      .connect()
      .then(() => client.query(`LISTEN ${INBOUND_SMS_CHANNEL}`))
      .catch((err: unknown) => log.warn({ err }, 'inbound SMS LISTEN unavailable; polling only'));
  }

  return {
    queue,
    /** In-process wake-up (web and worker in one process, tests): never throws, the poll is the net. */
    wake(messageId: string): void {
      if (stopped) return;
      wake(messageId).catch((err: unknown) => log.warn({ err }, 'inbound SMS job not queued: the poll will'));
    },
    async close(force = false): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await polling;
      await listener?.end().catch(() => {});
      await worker.close(force);
      await queue.close();
    },
  };
}

export type InboundWorker = ReturnType<typeof startInboundWorker>;
