// Hands accepted texts to the conversation: a BullMQ job per text (inboundQueue.ts), queued when the
// web side announces the text on Redis (or in-process when web and worker share a process), and a
// poll that finds texts no job carries (Redis was down when the text came, an announcement missed).
// Not a NOTIFY from the INSERT: PostgreSQL serialises the commits of notifying transactions, which
// cut the webhook's INSERTs from ~5,800 to ~2,400 a second here (50 connections).
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { createInboundQueue, DEFAULT_INBOUND_JOB_SETTINGS, INBOUND_SMS_QUEUE, listenForAccepted, queueText, type InboundTextJob } from './inboundQueue.js';
import type { InboundProcessor } from './inboundProcessor.js';

export interface InboundWorkerSettings {
  /** texts answered at once (different residents; one resident's texts are always one at a time) */
  concurrency: number;
  /** how often texts no job carries are looked for */
  pollMs: number;
  /** a text younger than this is left to its announcement */
  pollGraceMs: number;
  /** a resident held by another worker: looked at again after this */
  busyDelayMs: number;
  attempts: number;
  backoffMs: number;
}

export const DEFAULT_INBOUND_SETTINGS: InboundWorkerSettings = { concurrency: 8, pollMs: 1_000, pollGraceMs: 2_000, busyDelayMs: 25, ...DEFAULT_INBOUND_JOB_SETTINGS };

export interface InboundWorkerDeps {
  db: Db;
  producer: Redis;
  workerConnection: Redis;
  prefix: string;
  log: Logger;
  processor: InboundProcessor;
  settings?: Partial<InboundWorkerSettings>;
}

export function startInboundWorker(deps: InboundWorkerDeps) {
  const settings = { ...DEFAULT_INBOUND_SETTINGS, ...deps.settings };
  const log = deps.log.child({ module: 'sms-worker' });
  const queue = createInboundQueue(deps.producer, deps.prefix, settings);
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

  const wake = (messageId: string) => queueText(queue, messageId);

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

  // the web side's announcements (start:web), on a connection of their own
  const listener = deps.producer.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
  listenForAccepted(listener, deps.prefix, log, (messageId) => {
    if (!stopped) wake(messageId).catch((err: unknown) => log.warn({ err }, 'inbound SMS job not queued: the poll will'));
  });

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
      listener.disconnect();
      await worker.close(force);
      await queue.close();
    },
  };
}

export type InboundWorker = ReturnType<typeof startInboundWorker>;
