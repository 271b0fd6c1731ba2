import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { isEventType, parseEvent, type EventPayload, type EventType } from '../orders/events.js';
import type { Db } from '../platform/db/client.js';
import { runHot } from '../platform/db/hotStatement.js';
import type { Logger } from '../platform/logger.js';
import { QUEUE_NAMES } from '../platform/queues.js';
import type { OutboxJobData } from './outboxRelay.js';

/** One outbox event as a handler sees it: its payload checked against the catalogue. */
export type OutboxEventOf<T extends EventType> = Omit<OutboxJobData, 'type' | 'payload'> & { type: T; payload: EventPayload<T> };

/** What to do with each kind of event: every type of the catalogue has one (else it does not compile). */
export type OutboxHandlers = { [T in EventType]: (event: OutboxEventOf<T>) => Promise<void> };

/**
 * Consumes outbox events: checks the type and payload against the catalogue, runs the handler, and
 * marks the event processed. An event that cannot be handled (unknown type, bad payload, or a
 * handler still failing after the last attempt) is marked failed in the database with its reason,
 * logged as an error and left failed in the queue dashboard: never republished forever.
 */
export function startOutboxWorker(opts: {
  connection: Redis;
  prefix: string;
  db: Db;
  log: Logger;
  handlers: OutboxHandlers;
  concurrency?: number;
}): Worker<OutboxJobData> {
  const log = opts.log.child({ module: 'outbox-worker' });

  async function markFailed(eventId: string, reason: string): Promise<void> {
    await opts.db.outboxEvent.updateMany({ where: { id: eventId, processedAt: null }, data: { failedAt: new Date(), lastError: reason.slice(0, 500) } });
  }

  async function run<T extends EventType>(type: T, data: OutboxJobData): Promise<void> {
    const event = { ...data, type, payload: parseEvent(type, data.payload) } as OutboxEventOf<T>;
    const handler = opts.handlers[type] as (e: OutboxEventOf<T>) => Promise<void>;
    await handler(event);
  }

  const worker = new Worker<OutboxJobData>(
    QUEUE_NAMES.outbox,
    async (job: Job<OutboxJobData>) => {
      const { type, eventId } = job.data;
      if (!isEventType(type)) {
        await markFailed(eventId, `unknown event type ${type}`);
        throw new UnrecoverableError(`unknown event type ${type}`);
      }
      try {
        await run(type, job.data);
      } catch (err) {
        if (err instanceof Error && err.name === 'ZodError') {
          await markFailed(eventId, `invalid payload: ${err.message}`);
          throw new UnrecoverableError(`invalid payload for ${type}`);
        }
        throw err;
      }
      // every event ends here: a prepared statement on the pool, not a Prisma model query
      await runHot(opts.db, 'outbox-processed', `UPDATE "OutboxEvent" SET "processedAt" = now() WHERE id = $1 AND "processedAt" IS NULL`, [eventId]);
    },
    { connection: opts.connection as ConnectionOptions, prefix: opts.prefix, concurrency: opts.concurrency ?? 4 },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) {
      log.warn({ err, eventId: job.data.eventId, type: job.data.type, attempts: job.attemptsMade }, 'outbox job failed, will retry');
      return;
    }
    log.error({ err, eventId: job.data.eventId, type: job.data.type, attempts: job.attemptsMade }, 'outbox event could not be handled');
    if (!(err instanceof UnrecoverableError)) void markFailed(job.data.eventId, err.message).catch((e: unknown) => log.error({ err: e }, 'could not mark outbox event failed'));
  });
  worker.on('error', (err) => log.error({ err }, 'outbox worker error'));
  return worker;
}
