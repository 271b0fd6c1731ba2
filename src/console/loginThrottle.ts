// Login throttling, counted in Redis (shared by every web instance). Failures are counted per
// address and per account over a quarter of an hour. Past a limit, the address (or the account)
// is not shut out: it gets one attempt per `slotMs` (10 s for an address, 30 s for an account).
// Guessing slows to a crawl (90 tries a quarter of an hour at most, instead of thousands), while
// a colleague behind the same office address, or the real owner of an attacked account, logs in
// with the right password after a short wait, with no CAPTCHA and no coordinator to call.
import type { Redis } from 'ioredis';

export interface LoginThrottleSettings {
  windowMs: number;
  addressFailures: number;
  accountFailures: number;
  addressSlotMs: number;
  accountSlotMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  windowMs: 15 * 60_000,
  addressFailures: 10,
  accountFailures: 5,
  addressSlotMs: 10_000,
  accountSlotMs: 30_000,
};

export type LoginVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export function createLoginThrottle(redis: Redis, prefix: string, settings: Partial<LoginThrottleSettings> = {}) {
  const s = { ...DEFAULT_LOGIN_THROTTLE, ...settings };
  const keys = (address: string, account: string) => ({
    addressCount: `${prefix}addr:${address}`,
    accountCount: `${prefix}acct:${account}`,
    addressSlot: `${prefix}addr-slot:${address}`,
    accountSlot: `${prefix}acct-slot:${account}`,
  });

  /** Takes the slot (one attempt per slotMs); the seconds to wait when it is taken. */
  async function takeSlot(key: string, ms: number): Promise<number> {
    if ((await redis.set(key, '1', 'PX', ms, 'NX')) === 'OK') return 0;
    const left = await redis.pttl(key);
    return Math.max(1, Math.ceil(left / 1000));
  }

  return {
    /** May this address try this account now? Takes the slot when one of them is over its limit. */
    async check(address: string, account: string): Promise<LoginVerdict> {
      const k = keys(address, account);
      const [addressCount, accountCount] = (await redis.mget(k.addressCount, k.accountCount)).map((v) => Number(v ?? 0)) as [number, number];
      if (addressCount >= s.addressFailures) {
        const wait = await takeSlot(k.addressSlot, s.addressSlotMs);
        if (wait) return { allowed: false, retryAfterSeconds: wait };
      }
      if (accountCount >= s.accountFailures) {
        const wait = await takeSlot(k.accountSlot, s.accountSlotMs);
        if (wait) return { allowed: false, retryAfterSeconds: wait };
      }
      return { allowed: true };
    },

    async failed(address: string, account: string): Promise<void> {
      const k = keys(address, account);
      // the window starts at the first failure (SET NX with its expiry; INCR keeps the expiry)
      const replies = (await redis
        .multi()
        .set(k.addressCount, '0', 'PX', s.windowMs, 'NX')
        .set(k.accountCount, '0', 'PX', s.windowMs, 'NX')
        .incr(k.addressCount)
        .incr(k.accountCount)
        .exec()) as [unknown, unknown][];
      const addressCount = Number(replies[2]?.[1]);
      const accountCount = Number(replies[3]?.[1]);
      // the failure that reaches a limit starts the wait at once
      if (addressCount >= s.addressFailures) await redis.set(k.addressSlot, '1', 'PX', s.addressSlotMs, 'NX');
      if (accountCount >= s.accountFailures) await redis.set(k.accountSlot, '1', 'PX', s.accountSlotMs, 'NX');
    },

    /** The account's owner got in: its failures are forgotten (the address's are not). */
    async succeeded(address: string, account: string): Promise<void> {
      const k = keys(address, account);
      await redis.del(k.accountCount, k.accountSlot);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
