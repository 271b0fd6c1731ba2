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

/** The channel on which the web side announces each accepted text (its message id) to the workers. */
export function acceptedChannel(prefix: string): string {
  return `${prefix}:inbound-sms.accepted`;
}

/**
 * The web side's hand-off (start:web): each accepted text announced to the workers, which queue its
 * job (one PUBLISH here: a BullMQ add in the webhook cost a third of its throughput, measured).
 * Never throws nor waits: a text no worker heard of (Redis away, no worker subscribed) is found by
 * the workers' poll, like a missed NOTIFY.
 */
export function createAcceptedAnnouncer(connection: Redis, prefix: string, log: Logger) {
  const channel = acceptedChannel(prefix);
  let lastWarning = 0;
  const warn = (err: unknown) => {
    // once a minute at most: a Redis outage would otherwise log every text
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    log.warn({ err }, 'accepted texts not announced to the workers: their poll finds them');
  };
  return (messageId: string): void => {
    // while Redis is not connected nothing is attempted (a command would wait for it, per text)
    if (connection.status !== 'ready') return warn(new Error(`Redis connection ${connection.status}`));
    connection.publish(channel, messageId).catch(warn);
  };
}

/**
 * The workers' side: each announced text handed to `onAccepted` (which queues its job; the job id
 * makes several workers hearing it one job). `subscriber` is a connection of its own (a subscribed
 * connection can do nothing else); the caller closes it.
 */
export function listenForAccepted(subscriber: Redis, prefix: string, log: Logger, onAccepted: (messageId: string) => void): { subscribed: Promise<void> } {
  const channel = acceptedChannel(prefix);
  subscriber.on('message', (from: string, messageId: string) => {
    if (from === channel) onAccepted(messageId);
  });
  subscriber.on('error', (err: Error) => log.warn({ err }, 'accepted texts listener: Redis error (the poll finds the texts)'));
  const subscribed = subscriber.subscribe(channel).then(
    () => undefined,
    (err: unknown) => log.warn({ err }, 'accepted texts listener could not subscribe: the poll finds the texts'),
  );
  return { subscribed };
}
