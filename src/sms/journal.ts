// The inbound SMS journal. Twilio does not retry an SMS webhook that fails: a text the database
// could not take would be lost. So when storing it fails, the signed webhook's fields are pushed to
// a Redis list (AOF, noeviction: the same durability as the queue) and the webhook answers an
// empty TwiML; the worker stores them (the webhook's own statement) once the database answers,
// and the conversation then answers them like any other text.
// Replays are idempotent on MessageSid (INSERT … ON CONFLICT DO NOTHING): a text replayed twice,
// or whose insert did commit after all, is answered once.
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { InboundSms, type InboundSmsFields } from './inboundSms.js';

/** How many replays that failed while the database answered before a text is set aside for a person. */
const MAX_FAILED_REPLAYS = 5;

export interface SmsJournal {
  /** Keeps the text durably; rejects when Redis cannot take it (the webhook then answers 503). */
  accept(sms: InboundSmsFields): Promise<void>;
  /** Texts waiting to be replayed. */
  size(): Promise<number>;
  keys: { pending: string; failures: string; setAside: string };
}

export function createSmsJournal(redis: Redis, prefix = 'panier:'): SmsJournal {
  const keys = { pending: `${prefix}sms-journal`, failures: `${prefix}sms-journal:failures`, setAside: `${prefix}sms-journal:set-aside` };
  return {
    keys,
    async accept(sms) {
      // newest at the head, replayed from the tail: first in, first replayed
      await redis.lpush(keys.pending, JSON.stringify(sms));
    },
    size: () => redis.llen(keys.pending),
  };
}

export interface ReplayDeps {
  redis: Redis;
  journal: SmsJournal;
  /** what the webhook could not do: store the text (and wake the conversation) */
  accept: (sms: InboundSmsFields) => Promise<void>;
  /** true when the database answers (a failed replay then counts against the text) */
  databaseUp: () => Promise<boolean>;
  log: Logger;
  intervalMs?: number;
}

/** Replays what is in the journal, oldest first; stops at the first failure. Returns how many were replayed. */
export async function replayJournal(deps: Omit<ReplayDeps, 'intervalMs'>): Promise<number> {
  const { redis, journal } = deps;
  const log = deps.log.child({ module: 'sms-journal' });
  let replayed = 0;
  for (;;) {
    const raw = await redis.lindex(journal.keys.pending, -1);
    if (raw === null) return replayed;
    const parsed = InboundSms.safeParse(JSON.parse(raw));
    if (!parsed.success) {
      // only validated fields are ever written: this is not ours to replay
      await redis.multi().lrem(journal.keys.pending, -1, raw).lpush(journal.keys.setAside, raw).exec();
      log.error('unreadable entry in the SMS journal: set aside');
      continue;
    }
    const sms = parsed.data;
    try {
      await deps.accept(sms);
      await redis.multi().lrem(journal.keys.pending, -1, raw).hdel(journal.keys.failures, sms.MessageSid).exec();
      replayed++;
    } catch (err) {
      if (!(await deps.databaseUp())) return replayed; // still down: the next round tries again
      const failures = await redis.hincrby(journal.keys.failures, sms.MessageSid, 1);
      log.warn({ err, messageSid: sms.MessageSid, failures }, 'journal replay failed while the database answers');
      if (failures < MAX_FAILED_REPLAYS) return replayed;
      await redis.multi().lrem(journal.keys.pending, -1, raw).lpush(journal.keys.setAside, raw).hdel(journal.keys.failures, sms.MessageSid).exec();
      log.error({ messageSid: sms.MessageSid }, `inbound SMS set aside after ${MAX_FAILED_REPLAYS} failed replays (${journal.keys.setAside})`);
    }
  }
}

/** Replays the journal every `intervalMs` (2 s) in the worker. */
export function startJournalReplay(deps: ReplayDeps) {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = replayJournal(deps)
      .then((n) => n > 0 && deps.log.info({ replayed: n }, 'inbound SMS replayed from the journal'))
      .catch((err: unknown) => deps.log.warn({ err }, 'SMS journal not readable (Redis down?): trying again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, deps.intervalMs ?? 2_000);
      });
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
