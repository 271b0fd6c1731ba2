// Who asks for a change: a staff member (audited), a resident (by SMS or call), or the system
// (the minute sweep). Every use case takes one.
import type { Tx } from '../platform/db/client.js';

export type Actor = { kind: 'staff'; staffId: string } | { kind: 'resident'; customerId: string } | { kind: 'system' };

export const SYSTEM: Actor = { kind: 'system' };
export const staffActor = (staffId: string): Actor & { kind: 'staff' } => ({ kind: 'staff', staffId });

/** Staff actions are written to the audit log, in the transaction of the change. */
export async function auditStaff(tx: Tx, actor: Actor, entry: { groupId: string; action: string; entityType: string; entityId: string; data?: Record<string, string | number | boolean | null> }): Promise<void> {
  if (actor.kind !== 'staff') return;
  await tx.auditEvent.create({
    data: { groupId: entry.groupId, actorId: actor.staffId, actorKind: 'staff', action: entry.action, entityType: entry.entityType, entityId: entry.entityId, data: entry.data ?? {} },
  });
}
