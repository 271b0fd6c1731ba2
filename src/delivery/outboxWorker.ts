import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { QUEUE_NAMES } from '../platform/queues.js';
import type { OutboxJobData } from './outboxRelay.js';

/** What to do with one kind of outbox event (send the confirmation SMS, alert the delivery lead…). */
export type OutboxHandler = (event: OutboxJobData) => Promise<void>;

/**
 * Consumes outbox events and hands each to the handler registered for its type. Events nobody
 * handles yet complete with a debug line: the notification flows register theirs (issue 5).
 */
export function startOutboxWorker(opts: {
  connection: Redis;
  prefix: string;
  log: Logger;
  handlers: Partial<Record<string, OutboxHandler>>;
  concurrency?: number;
}): Worker<OutboxJobData> {
  const log = opts.log.child({ module: 'outbox-worker' });
  const worker = new Worker<OutboxJobData>(
    QUEUE_NAMES.outbox,
    async (job: Job<OutboxJobData>) => {
      const handler = opts.handlers[job.data.type];
      if (!handler) {
        log.debug({ type: job.data.type, eventId: job.data.eventId }, 'no handler for outbox event');
        return;
      }
      await handler(job.data);
    },
    { connection: opts.connection as ConnectionOptions, prefix: opts.prefix, concurrency: opts.concurrency ?? 4 },
  );
  worker.on('failed', (job, err) => log.warn({ err, eventId: job?.data.eventId, attempts: job?.attemptsMade }, 'outbox job failed'));
  worker.on('error', (err) => log.error({ err }, 'outbox worker error'));
  return worker;
}
