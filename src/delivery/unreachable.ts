// A notice that could not reach its person is never dropped in silence: the operator gets a task
// to tell them by phone ("à prévenir par téléphone").
import type { Db, Tx } from '../platform/db/client.js';

/** Reminders are offers, not news about one's own order: nobody is called for a missed reminder. */
const NOT_WORTH_A_CALL = new Set(['reminder.open', 'reminder.last_day']);

export interface UnreachableOutcome {
  code: number | null;
  /** the resident had sent STOP to our number (Twilio 21610) */
  optedOut?: boolean;
}

/** Marks the message failed (forward only) and opens one call task for it when it was about a resident. */
export async function markUnreachable(db: Db | Tx, messageId: string, outcome: UnreachableOutcome): Promise<void> {
  const m = await db.message.findUnique({ where: { id: messageId } });
  if (!m) return;
  await db.message.updateMany({
    where: { id: messageId, status: { notIn: ['delivered', 'undelivered', 'failed'] } },
    data: { status: 'failed', errorCode: outcome.code ?? undefined },
  });
  if (outcome.optedOut) {
    await db.customer.updateMany({ where: { groupId: m.groupId, phone: m.toPhone, smsOptedOut: false }, data: { smsOptedOut: true, smsOptedOutAt: new Date() } });
  }
  const aboutResident = m.recipientRole === 'resident' || m.recipientRole === 'contact';
  if (!aboutResident || NOT_WORTH_A_CALL.has(m.kind)) return;
  // one task per message, however many failures report it (REST error, then a status callback)
  await db.callTask.createMany({
    data: [{ groupId: m.groupId, kind: 'unreachable_resident', callerPhone: m.toPhone, customerId: m.customerId, orderId: m.orderId, messageId: m.id, note: `A prévenir par téléphone : ${m.body}` }],
    skipDuplicates: true,
  });
}
