import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export const QUEUE_NAMES = { outbox: 'outbox-events', inboundSms: 'inbound-sms' } as const;

export interface QueueSettings {
  /** BullMQ key prefix: one per deployment, one per test file */
  prefix: string;
}

/** Completed jobs are trimmed; failed ones kept a week for inspection. */
export const DEFAULT_JOB_OPTIONS = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
} as const;

export function createOutboxQueue(connection: Redis, settings: QueueSettings): Queue {
  return new Queue(QUEUE_NAMES.outbox, {
    connection: connection as ConnectionOptions,
    prefix: settings.prefix,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
}
