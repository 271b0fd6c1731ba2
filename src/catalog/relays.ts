// Relay points: added, found by the name a coordinator types ("Epicerie du centre" finds
// "Épicerie du centre"), and the distributions whose order windows overlap a new one's.
import { auditStaff, type Actor } from '../orders/actor.js';
import { recordEvent } from '../orders/events.js';
import { isUniqueViolation, type Db, type Tx } from '../platform/db/client.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { fold } from './reading/normalize.js';

/** "  ÉPICERIE   du Centre " → "epicerie du centre". Pure. */
export function relayKey(name: string): string {
  return fold(name).replace(/[^a-z0-9]+/g, ' ').trim();
}

/** The relay point of the group with this name, matched without accents, case or extra spaces. */
export async function findRelayPoint(db: Db | Tx, groupId: string, name: string) {
  const relays = await db.relayPoint.findMany({ where: { groupId }, orderBy: { name: 'asc' } });
  const exact = relays.find((r) => r.name === name);
  if (exact) return exact;
  const matches = relays.filter((r) => relayKey(r.name) === relayKey(name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new ValidationError(`several relay points are called "${name}": ${matches.map((r) => r.name).join(', ')}`);
  const known = relays.map((r) => `"${r.name}"`).join(', ');
  throw new NotFoundError(`relay point "${name}"${known ? ` (known: ${known})` : ' (none yet: npm run cli -- relay add)'}`);
}

/**
 * Scheduled distributions of the group whose order window overlaps [opensAt, closesAt): during the
 * overlap a resident's SMS or call orders for one of them only (the one that opened first), which a
 * coordinator must know when creating the second.
 */
export async function overlappingOrderWindows(db: Db | Tx, groupId: string, window: { opensAt: Date; closesAt: Date }, exceptId?: string) {
  return db.distribution.findMany({
    where: {
      groupId,
      status: 'scheduled',
      opensAt: { lt: window.closesAt },
      closesAt: { gt: window.opensAt },
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
    include: { relayPoint: true },
    orderBy: { opensAt: 'asc' },
  });
}

/** A new relay point of the group (the shop where baskets are collected); its name is unique in the group. */
export async function addRelayPoint(tx: Tx, input: { groupId: string; name: string; address: string; notes?: string }, actor: Actor) {
  try {
    const created = await tx.relayPoint.create({ data: { groupId: input.groupId, name: input.name, address: input.address, notes: input.notes ?? null } });
    await recordEvent(tx, input.groupId, 'catalog.changed', input.groupId, { what: 'relays' });
    await auditStaff(tx, actor, { groupId: input.groupId, action: 'relay.added', entityType: 'RelayPoint', entityId: created.id });
    return created;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('a relay point already has this name', 'already_taken', 409, { what: 'relay' });
    throw err;
  }
}
