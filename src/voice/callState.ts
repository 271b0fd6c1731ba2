// A call's state between two webhooks, in one Redis hash per call: the menu's state and cart, the
// facts about the caller, the step expected next, the path taken, and the TwiML already answered
// per step (for Twilio's replays). It lives as long as the call, an hour at most without a step.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { CallerFactsSchema } from './callContext.js';
import { NODES } from './menu.js';

export const CALL_STATE_TTL_MS = 3600_000;
/** A step that holds the call longer than Twilio waits for an answer (15 s) has failed anyway. */
const LOCK_MS = 15_000;
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 20;
/** Enough for any real call (each step adds one); a call looping past it keeps only the start and the end. */
const MAX_PATH = 200;

const CallStateSchema = z.object({
  node: z.enum(NODES),
  reprompts: z.number().int(),
  cart: z.array(z.object({ productId: z.string(), quantity: z.number().int(), requestedGrams: z.number().int().nullable() })),
  pendingCode: z.number().int().nullable(),
  pendingQuantity: z.number().int().nullable(),
  speechTries: z.number().int(),
});

const CallRecordSchema = z.object({
  callSessionId: z.string(),
  groupId: z.string(),
  fromPhone: z.string(),
  customerId: z.string().nullable(),
  voice: z.object({ name: z.string(), language: z.string() }),
  facts: CallerFactsSchema,
  menu: CallStateSchema,
  /** the seq the next webhook carries */
  step: z.number().int().nonnegative(),
  /** the menu's nodes, one per step: what the call went through, written to CallSession at its end */
  path: z.array(z.enum(NODES)),
  /** durable things the call did ("order_placed", "task:call_back", "delivery_requested") */
  effects: z.array(z.string()),
  startedAt: z.number(),
});
export type CallRecord = z.infer<typeof CallRecordSchema>;

export interface CallStore {
  /** Runs `fn` alone for this call (see `lock` below); throws when the call stays busy 10 s. */
  exclusive<T>(callSid: string, fn: () => Promise<T>): Promise<T>;
  /** The call's record (null: no state, or state this version cannot read) and the TwiML of step `seq` if already answered. */
  read(callSid: string, seq: number): Promise<{ record: CallRecord | null; receipt: string | null }>;
  /** Saves the record and step `seq`'s answer, and gives the call another hour. */
  save(callSid: string, record: CallRecord, seq: number, twiml: string): Promise<void>;
  forget(callSid: string): Promise<void>;
}

/** Appends a node to a path, keeping its start and its end when it grows too long. Pure. */
export function extendPath(path: CallRecord['path'], node: CallRecord['path'][number]): CallRecord['path'] {
  const next = [...path, node];
  return next.length > MAX_PATH ? [...next.slice(0, MAX_PATH / 2), ...next.slice(next.length - MAX_PATH / 2 + 1)] : next;
}

// deletes the lock only if it is still ours (it may have expired and been taken by another step)
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createCallStore(redis: Redis, prefix = 'panier:'): CallStore {
  const keyOf = (callSid: string) => `${prefix}call:${callSid}`;

  /**
   * One step of a call at a time. A step may carry out something durable (an order, a task) that no
   * optimistic retry (WATCH/MULTI) could take back, and a Lua script cannot wait on the database: so
   * the step holds a short per-call lock for its whole run. It expires by itself after 15 s, so a
   * process that died mid-step does not hold the call; a concurrent webhook for the same call waits
   * for it, then finds the first one's answer.
   */
  async function exclusive<T>(callSid: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${keyOf(callSid)}:lock`;
    const token = crypto.randomBytes(8).toString('hex');
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    while ((await redis.set(lockKey, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > giveUpAt) throw new Error('call busy: another step of this call did not finish');
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
    try {
      return await fn();
    } finally {
      await redis.eval(RELEASE, 1, lockKey, token);
    }
  }

  return {
    exclusive,
    async read(callSid, seq) {
      const [raw, receipt] = await redis.hmget(keyOf(callSid), 'call', `r:${seq}`);
      if (!raw) return { record: null, receipt: receipt ?? null };
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = null;
      }
      // state written by another version of the service, or damaged: as if lost (the menu restarts)
      const parsed = CallRecordSchema.safeParse(json);
      return { record: parsed.success ? parsed.data : null, receipt: receipt ?? null };
    },
    async save(callSid, record, seq, twiml) {
      const key = keyOf(callSid);
      await redis.multi().hset(key, 'call', JSON.stringify(record), `r:${seq}`, twiml).pexpire(key, CALL_STATE_TTL_MS).exec();
    },
    async forget(callSid) {
      await redis.del(keyOf(callSid));
    },
  };
}
