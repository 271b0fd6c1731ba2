// Erasing a resident (their request, or the end of the retention period): orders stay for the
// accounts with the person anonymised; messages, recordings, call traces and conversations go, here
// and (through TwilioDeletion) at Twilio. One transaction under the resident's row lock.
import type { Tx } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import { scheduleTwilioDeletions, type DeletionReason } from './twilioDeletions.js';

export interface Actor {
  /** null: the service itself (the retention sweep) */
  staffId: string | null;
}

export interface ErasureInput {
  groupId: string;
  customerId: string;
  reason: DeletionReason;
  now: Date;
}

export interface ErasureCounts {
  messages: number;
  recordings: number;
  callSessions: number;
  tasks: number;
  deliveries: number;
  orders: number;
}

/** What stands in for the phone number of an anonymised resident (unique per group, never dialled). */
export const anonymousPhone = (customerId: string) => `anonyme-${customerId}`;

export async function eraseResident(tx: Tx, input: ErasureInput, actor: Actor): Promise<ErasureCounts> {
  const [locked] = await tx.$queryRaw<{ id: string; phone: string }[]>`
    SELECT id, phone FROM "Customer" WHERE id = ${input.customerId} AND "groupId" = ${input.groupId} FOR UPDATE`;
  if (!locked) throw new NotFoundError('customer');
  const { phone } = locked;
  const orders = await tx.order.findMany({ where: { customerId: locked.id }, select: { id: true } });
  const orderIds = orders.map((o) => o.id);

  // every message to, from or about them: their texts, our replies, copies to their carer, and the
  // courier's dispatch that carried their address
  const messageWhere = {
    groupId: input.groupId,
    OR: [{ customerId: locked.id }, { orderId: { in: orderIds } }, { fromPhone: phone }, { toPhone: phone }],
  };
  const messages = await tx.message.findMany({ where: messageWhere, select: { id: true, twilioSid: true } });
  await scheduleTwilioDeletions(tx, input.groupId, 'message', messages.map((m) => m.twilioSid), input.reason);
  await tx.message.updateMany({ where: { inReplyToId: { in: messages.map((m) => m.id) } }, data: { inReplyToId: null } });
  const deletedMessages = await tx.message.deleteMany({ where: { id: { in: messages.map((m) => m.id) } } });

  const sessions = await tx.callSession.findMany({ where: { groupId: input.groupId, OR: [{ customerId: locked.id }, { fromPhone: phone }] }, select: { id: true, callSid: true } });
  const taskWhere = { groupId: input.groupId, OR: [{ customerId: locked.id }, { callerPhone: phone }, { callSessionId: { in: sessions.map((s) => s.id) } }] };
  const tasks = await tx.callTask.findMany({ where: taskWhere, select: { id: true, recordingSid: true } });
  const recordings = await scheduleTwilioDeletions(tx, input.groupId, 'recording', tasks.map((t) => t.recordingSid), input.reason);
  const anonymous = anonymousPhone(locked.id);
  await tx.callTask.updateMany({
    where: { id: { in: tasks.map((t) => t.id) } },
    data: { callerPhone: anonymous, customerId: locked.id, note: null, recordingSid: null, recordingUrl: null, recordingDeletedAt: input.now },
  });
  // the TwiML answers kept for replays say the caller's name and address back
  for (const s of sessions) await tx.$executeRaw`DELETE FROM "WebhookReceipt" WHERE key LIKE ${`voice:${s.callSid}:%`}`;
  await tx.callSession.updateMany({ where: { id: { in: sessions.map((s) => s.id) } }, data: { fromPhone: anonymous, customerId: locked.id, data: {} } });

  const deliveries = await tx.delivery.updateMany({ where: { orderId: { in: orderIds } }, data: { address: '', notes: null, failureReason: null } });
  // a failed notice's reason may quote their number
  await tx.outboxEvent.updateMany({ where: { groupId: input.groupId, aggregateId: { in: orderIds }, lastError: { not: null } }, data: { lastError: null } });
  const anonymisedOrders = await tx.order.updateMany({ where: { id: { in: orderIds } }, data: { notes: null } });
  await tx.smsConversation.deleteMany({ where: { customerId: locked.id } });
  await tx.customer.update({
    where: { id: locked.id },
    data: {
      phone: anonymous, name: null, address: null, deliveryNotes: null, notes: null, lineType: 'unknown', smsOptedOut: true, smsOptedOutAt: input.now,
      secondaryContactName: null, secondaryContactPhone: null, secondaryContactReason: null, secondaryContactAddedById: null, secondaryContactAddedAt: null,
      secondaryContactToldAt: null, inactivityWarnedAt: null, anonymisedAt: input.now,
    },
  });
  const counts: ErasureCounts = {
    messages: deletedMessages.count, recordings, callSessions: sessions.length, tasks: tasks.length, deliveries: deliveries.count, orders: anonymisedOrders.count,
  };
  // counts, never content: the audit row proves the erasure without keeping what was erased
  await tx.auditEvent.create({
    data: {
      groupId: input.groupId, actorId: actor.staffId, actorKind: actor.staffId ? 'staff' : 'system', action: input.reason === 'erasure' ? 'privacy.erased' : 'privacy.anonymised',
      entityType: 'Customer', entityId: locked.id, data: { ...counts },
    },
  });
  return counts;
}
