import type { Db } from '../platform/db/client.js';
import { toE164 } from '../platform/phone.js';

/** The group that owns a Twilio number (the `To` of a webhook), or null. */
export async function groupByNumber(db: Db, number: string) {
  const e164 = toE164(number) ?? number;
  const owned = await db.groupNumber.findUnique({ where: { phone: e164 }, include: { group: true } });
  return owned?.group ?? null;
}
