// The queue of accepted texts waiting for the worker: one job per text, carrying only its id (job
// data sits in clear in Redis), the id as job id (queued twice, answered once). The web side adds
// the job right after the text's INSERT; the worker's poll adds it for texts no job carries.
import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { QUEUE_NAMES } from '../platform/queues.js';

export const INBOUND_SMS_QUEUE = QUEUE_NAMES.inboundSms;

export interface InboundTextJob {
  messageId: string;
}

export interface InboundJobSettings {
  attempts: number;
  backoffMs: number;
}

export const DEFAULT_INBOUND_JOB_SETTINGS: InboundJobSettings = { attempts: 5, backoffMs: 500 };

function jobOptions(settings: InboundJobSettings): DefaultJobOptions {
  return {
    removeOnComplete: { age: 3600, count: 10_000 },
    // a job that failed every attempt (the database away for long) is dropped: the poll gives the
    // text a new job once the database answers (a kept failed job would block its id)
    removeOnFail: true,
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs, jitter: 0.5 },
  };
}

export function createInboundQueue(connection: Redis, prefix: string, settings: InboundJobSettings = DEFAULT_INBOUND_JOB_SETTINGS): Queue<InboundTextJob> {
  return new Queue<InboundTextJob>(INBOUND_SMS_QUEUE, { connection: connection as ConnectionOptions, prefix, defaultJobOptions: jobOptions(settings) });
}

/** A job for this text; one already there (same id) is left as it is. */
export async function queueText(queue: Queue<InboundTextJob>, messageId: string): Promise<void> {
  await queue.add('text', { messageId }, { jobId: messageId });
}

/**
 * The web side's hand-off (start:web): each accepted text queued for the workers, without making
 * the webhook wait. Never throws: a text not queued (Redis away) is found by the workers' poll.
 * While Redis is not connected nothing is attempted (an add would wait for it, per text).
 */
export function createInboundQueuer(connection: Redis, prefix: string, log: Logger) {
  const queue = createInboundQueue(connection, prefix);
  queue.on('error', (err) => log.warn({ err }, 'inbound SMS queue error'));
  let lastWarning = 0;
  const warn = (err: unknown) => {
    // once a minute at most: a Redis outage would otherwise log every text
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    log.warn({ err }, 'accepted texts not queued: the workers\' poll finds them');
  };
  return {
    queue,
    wake(messageId: string): void {
      if (connection.status !== 'ready') return warn(new Error(`Redis connection ${connection.status}`));
      queueText(queue, messageId).catch(warn);
    },
    close: () => queue.close(),
  };
}
