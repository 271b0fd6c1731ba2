import type { Db, Tx } from '../platform/db/client.js';
import { toE164 } from '../platform/phone.js';

export interface GroupSummary {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  voiceName: string;
  voiceLanguage: string;
  operatorPhone: string | null;
}

/** `via`: the caller's transaction, when it holds one (a pool of one has no second connection). */
export type GroupDirectory = (number: string, via?: Db | Tx) => Promise<GroupSummary | null>;

/**
 * Finds the group that owns a Twilio number (the `To` of a webhook). Every webhook asks, and
 * numbers almost never move, so answers are kept a short while in memory: a read cache of the
 * database, not state — another instance that has none simply asks the database.
 */
export function createGroupDirectory(db: Db, opts: { ttlMs?: number; now?: () => number } = {}): GroupDirectory {
  const ttlMs = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { group: GroupSummary | null; until: number }>();
  return async (number: string, via: Db | Tx = db) => {
    const e164 = toE164(number) ?? number;
    const hit = cache.get(e164);
    if (hit && hit.until > now()) return hit.group;
    const owned = await via.groupNumber.findUnique({
      where: { phone: e164 },
      select: { group: { select: { id: true, slug: true, name: true, timeZone: true, voiceName: true, voiceLanguage: true, operatorPhone: true } } },
    });
    const group = owned?.group ?? null;
    // an unknown number is remembered briefly only: a group may be given it at any moment
    cache.set(e164, { group, until: now() + (group ? ttlMs : Math.min(ttlMs, 2_000)) });
    if (cache.size > 10_000) cache.clear();
    return group;
  };
}
