// A carer (secondary contact) gets copies of a resident's notices: added only with a reason and
// who added it, and told once by SMS (or a call on a landline) that copies will come, with how
// to stop.
import { messageBody, senderFor } from '../delivery/recipients.js';
import { PRIORITY, type SenderPool } from '../delivery/sender.js';
import { privacyText } from '../i18n/privacy.js';
import type { Db, Tx } from '../platform/db/client.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { lineTypeOf } from '../platform/phone.js';
import { infoPhoneOf } from './notice.js';

export class CarerReasonMissingError extends AppError {
  constructor() {
    super('a carer needs a recorded reason', 'carer_reason_missing');
  }
}

export interface CarerInput {
  customerId: string;
  name: string | null;
  /** E.164, or null to remove the carer */
  phone: string | null;
  reason: string | null;
  now: Date;
}

/**
 * Sets (or removes) a resident's carer. A new or changed carer needs a reason; the staff member
 * and the time are recorded, and the carer will be told (by the sweep, see tellNewCarers).
 */
export async function setCarer(tx: Tx, input: CarerInput, actor: { staffId: string }): Promise<'unchanged' | 'added' | 'removed' | 'renamed'> {
  const c = await tx.customer.findUniqueOrThrow({ where: { id: input.customerId } });
  if (!input.phone) {
    if (!c.secondaryContactPhone) return 'unchanged';
    await tx.customer.update({
      where: { id: c.id },
      data: { secondaryContactName: null, secondaryContactPhone: null, secondaryContactReason: null, secondaryContactAddedById: null, secondaryContactAddedAt: null, secondaryContactToldAt: null },
    });
    await tx.auditEvent.create({ data: { groupId: c.groupId, actorId: actor.staffId, actorKind: 'staff', action: 'customer.carer_removed', entityType: 'Customer', entityId: c.id } });
    return 'removed';
  }
  if (input.phone === c.secondaryContactPhone) {
    // the same carer: a name or reason can be corrected, it is not a new carer to tell
    const reason = input.reason?.trim() || c.secondaryContactReason;
    if (!reason) throw new CarerReasonMissingError();
    if (input.name === c.secondaryContactName && reason === c.secondaryContactReason) return 'unchanged';
    await tx.customer.update({ where: { id: c.id }, data: { secondaryContactName: input.name, secondaryContactReason: reason } });
    return 'renamed';
  }
  const reason = input.reason?.trim();
  if (!reason) throw new CarerReasonMissingError();
  await tx.customer.update({
    where: { id: c.id },
    data: {
      secondaryContactName: input.name, secondaryContactPhone: input.phone, secondaryContactReason: reason,
      secondaryContactAddedById: actor.staffId, secondaryContactAddedAt: input.now, secondaryContactToldAt: null,
    },
  });
  // the reason stays on the resident's record (it may name people); the audit says who and when
  await tx.auditEvent.create({ data: { groupId: c.groupId, actorId: actor.staffId, actorKind: 'staff', action: 'customer.carer_added', entityType: 'Customer', entityId: c.id } });
  return 'added';
}

/** Tells each carer not yet told, once: the message row is written and queued on its sender. */
export async function tellNewCarers(deps: { db: Db; senders: SenderPool; log: Logger; now: Date }): Promise<number> {
  const due = await deps.db.customer.findMany({
    where: { secondaryContactPhone: { not: null }, secondaryContactToldAt: null, anonymisedAt: null },
    select: { id: true }, take: 100,
  });
  // a notice whose job Redis lost (it has no outbox event for the main sweep to requeue): queued again
  const lost = await deps.db.message.findMany({
    where: { kind: 'contact.informed', status: 'pending', updatedAt: { lt: new Date(deps.now.getTime() - 2 * 60_000) } },
    select: { id: true, channel: true, fromPhone: true }, take: 100,
  });
  for (const m of lost) await deps.senders.enqueue({ ...m, priority: PRIORITY.notice });
  let told = 0;
  for (const { id } of due) {
    const message = await deps.db.$transaction(async (tx) => {
      const { count } = await tx.customer.updateMany({ where: { id, secondaryContactToldAt: null, secondaryContactPhone: { not: null } }, data: { secondaryContactToldAt: deps.now } });
      if (!count) return null;
      const c = await tx.customer.findUniqueOrThrow({ where: { id }, include: { group: { include: { numbers: { orderBy: { createdAt: 'asc' } } } } } });
      const to = c.secondaryContactPhone!;
      if (to === c.phone) return null;
      const channel = lineTypeOf(to) === 'landline' ? 'voice' : 'sms';
      const numbers = c.group.numbers.map((n) => n.phone);
      const from = channel === 'voice' ? numbers[0] : senderFor({ smsSenderKind: c.group.smsSenderKind, smsSender: c.group.smsSender, numbers }, false);
      if (!from) {
        deps.log.error({ groupId: c.groupId }, 'group has no sender number: carer not told');
        return null;
      }
      const text = privacyText.carerInformed(c.name, await infoPhoneOf(tx, c.group));
      const body = messageBody({ kind: 'contact.informed', role: 'contact', to, channel, text, customerId: c.id, orderId: null, expectsReply: false, priority: PRIORITY.notice });
      return tx.message.create({
        data: { groupId: c.groupId, direction: 'outbound', channel, fromPhone: from, toPhone: to, ...body, status: 'pending', customerId: c.id, kind: 'contact.informed', recipientRole: 'contact' },
        select: { id: true, channel: true, fromPhone: true },
      });
    });
    if (message) {
      await deps.senders.enqueue({ ...message, priority: PRIORITY.notice });
      told++;
    }
  }
  return told;
}
