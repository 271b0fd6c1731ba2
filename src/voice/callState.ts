// A call's state between two webhooks, in one Redis hash per call: the menu's state and cart, the
// facts about the caller, the step expected next, the path taken, and the TwiML already answered
// per step (for Twilio's replays). It lives as long as the call, an hour at most without a step.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
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

export interface HeldCall {
  /** the call's record (null: no state, or state this version cannot read) */
  record: CallRecord | null;
  /** the TwiML already answered to this step, if any */
  receipt: string | null;
}

export interface CallStore {
  /**
   * Runs one step of a call alone (see `hold` below), with what the call holds; `fn` returns the
   * answer and, to save it, the record for the next step. Throws when the call stays busy 10 s.
   */
  step(callSid: string, seq: number, fn: (held: HeldCall) => Promise<{ twiml: string; save?: CallRecord }>): Promise<string>;
  /** The call's record once no step of it runs (at its end). */
  settled(callSid: string): Promise<CallRecord | null>;
  forget(callSid: string): Promise<void>;
}

/** Appends a node to a path, keeping its start and its end when it grows too long. Pure. */
export function extendPath(path: CallRecord['path'], node: CallRecord['path'][number]): CallRecord['path'] {
  const next = [...path, node];
  return next.length > MAX_PATH ? [...next.slice(0, MAX_PATH / 2), ...next.slice(next.length - MAX_PATH / 2 + 1)] : next;
}

// deletes the lock only if it is still ours (it may have expired and been taken by another step)
const RELEASE = `if redis.call('get', KEYS[2]) == ARGV[1] then redis.call('del', KEYS[2]) end return 1`;
// saves a step and releases the call in one round trip; a step whose lock expired under it (it ran
// past 15 s) saves nothing: another step has the call now
const SAVE_AND_RELEASE = `
if redis.call('get', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'call', ARGV[2], 'r:' .. ARGV[3], ARGV[4])
redis.call('pexpire', KEYS[1], ARGV[5])
redis.call('del', KEYS[2])
return 1`;

interface Script {
  lua: string;
  sha: string;
}
const script = (lua: string): Script => ({ lua, sha: crypto.createHash('sha1').update(lua).digest('hex') });
const RELEASE_SCRIPT = script(RELEASE);
const SAVE_SCRIPT = script(SAVE_AND_RELEASE);

function parseRecord(raw: string | null): CallRecord | null {
  if (!raw) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  // state written by another version of the service, or damaged: as if lost (the menu restarts)
  const parsed = CallRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export function createCallStore(redis: Redis, prefix = 'panier:', log?: Logger): CallStore {
  const keyOf = (callSid: string) => `${prefix}call:${callSid}`;

  /**
   * Takes the call for one step, reading what it holds in the same round trip. A step may carry
   * out something durable (an order, a task) that no optimistic retry (WATCH/MULTI) could take
   * back, and a Lua script cannot wait on the database: so each step holds a short per-call lock for
   * its whole run. It expires by itself after 15 s, so a process that died mid-step does not hold
   * the call; a concurrent webhook for the same call waits for it, then finds its answer. Holding
   * the lock is what makes the read after SET NX consistent: every write is made under it.
   */
  async function hold(callSid: string, seq: number): Promise<HeldCall & { token: string }> {
    const key = keyOf(callSid);
    const token = crypto.randomBytes(8).toString('hex');
    const giveUpAt = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const replies = await redis.pipeline().set(`${key}:lock`, token, 'PX', LOCK_MS, 'NX').hmget(key, 'call', `r:${seq}`).exec();
      const [[lockErr, locked], [readErr, read]] = replies as [[Error | null, unknown], [Error | null, (string | null)[]]];
      if (lockErr || readErr) throw lockErr ?? readErr;
      if (locked === 'OK') return { token, record: parseRecord(read[0] ?? null), receipt: read[1] ?? null };
      if (Date.now() > giveUpAt) throw new Error('call busy: another step of this call did not finish');
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }

  // by its SHA (the script is sent once per Redis server, not with every step)
  async function run(sc: Script, callSid: string, args: string[]): Promise<unknown> {
    const keys = [keyOf(callSid), `${keyOf(callSid)}:lock`];
    try {
      return await redis.evalsha(sc.sha, 2, ...keys, ...args);
    } catch (err) {
      if (!String(err).includes('NOSCRIPT')) throw err;
      return redis.eval(sc.lua, 2, ...keys, ...args);
    }
  }
  const release = (callSid: string, token: string) => run(RELEASE_SCRIPT, callSid, [token]);

  return {
    async step(callSid, seq, fn) {
      const { token, ...held } = await hold(callSid, seq);
      let out: { twiml: string; save?: CallRecord };
      try {
        out = await fn(held);
      } catch (err) {
        await release(callSid, token).catch(() => {});
        throw err;
      }
      if (!out.save) await release(callSid, token);
      else if ((await run(SAVE_SCRIPT, callSid, [token, JSON.stringify(out.save), String(seq), out.twiml, String(CALL_STATE_TTL_MS)])) === 0) {
        // Twilio gave up on this answer long ago; the call goes on from the state before it
        log?.warn({ seq }, 'call step outlived its lock: its state was not saved');
      }
      return out.twiml;
    },
    async settled(callSid) {
      const { token, record } = await hold(callSid, -1);
      await release(callSid, token);
      return record;
    },
    async forget(callSid) {
      await redis.del(keyOf(callSid));
    },
  };
}
