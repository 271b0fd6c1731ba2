// A message that matters and could not reach its person is never dropped in silence: the operator
// gets a task in "À traiter" with the reason (a resident to tell by phone, a courier or the delivery
// lead who did not get their dispatch), and for the delivery lead's messages the coordinators are
// told too: a resident in need must not wait for a delivery nobody knows about.
import { recordEvent } from '../orders/events.js';
import type { Db, Tx } from '../platform/db/client.js';

/** Reminders are offers, not news about one's own order: nobody is called for a missed reminder. */
const NOT_WORTH_A_CALL = new Set(['reminder.open', 'reminder.last_day']);

export interface UnreachableOutcome {
  code: number | null;
  /** the resident had sent STOP to our number (Twilio 21610) */
  optedOut?: boolean;
}

type Message = NonNullable<Awaited<ReturnType<Tx['message']['findUnique']>>>;

function inTransaction(db: Db | Tx, fn: (tx: Tx) => Promise<void>): Promise<void> {
  return '$transaction' in db ? (db as Db).$transaction(fn) : fn(db);
}

/** Why a person has to step in, in the operator's words. */
function taskNote(m: Message, why: string): string {
  if (m.recipientRole === 'courier') return `Le livreur n'a pas reçu son SMS (${why}). A appeler : ${m.body}`;
  if (m.recipientRole === 'lead') return `Le responsable des livraisons n'a pas reçu son SMS (${why}). A appeler : ${m.body}`;
  return `A prévenir par téléphone (${why}) : ${m.body}`;
}

/** The task (one per message, however many failures report it) and, for the lead, the coordinators' notice. */
async function openTask(tx: Tx, m: Message, why: string): Promise<void> {
  const aboutResident = m.recipientRole === 'resident' || m.recipientRole === 'contact';
  const dispatch = m.recipientRole === 'courier' || m.recipientRole === 'lead';
  if (!(aboutResident || dispatch) || NOT_WORTH_A_CALL.has(m.kind)) return;
  const created = await tx.callTask.createMany({
    data: [{
      groupId: m.groupId, kind: dispatch ? 'undelivered_dispatch' : 'unreachable_resident', callerPhone: m.toPhone,
      customerId: m.customerId, orderId: m.orderId, messageId: m.id, note: taskNote(m, why),
    }],
    skipDuplicates: true,
  });
  // the delivery lead is the one who organises deliveries: when they are cut off, coordinators know
  if (created.count > 0 && m.recipientRole === 'lead') await recordEvent(tx, m.groupId, 'message.undeliverable', m.id, { messageId: m.id });
}

function reason(outcome: UnreachableOutcome): string {
  if (outcome.optedOut) return 'STOP envoyé';
  return outcome.code ? `erreur ${outcome.code}` : 'non distribué';
}

/** Marks the message failed (forward only) and opens one task for it when it mattered. */
export async function markUnreachable(db: Db | Tx, messageId: string, outcome: UnreachableOutcome): Promise<void> {
  await inTransaction(db, async (tx) => {
    const m = await tx.message.findUnique({ where: { id: messageId } });
    if (!m) return;
    await tx.message.updateMany({
      where: { id: messageId, status: { notIn: ['delivered', 'undelivered', 'failed'] } },
      data: { status: 'failed', errorCode: outcome.code ?? undefined },
    });
    if (outcome.optedOut) {
      await tx.customer.updateMany({ where: { groupId: m.groupId, phone: m.toPhone, smsOptedOut: false }, data: { smsOptedOut: true, smsOptedOutAt: new Date() } });
    }
    await openTask(tx, m, reason(outcome));
  });
}

/**
 * A send cut off mid-request (the process died while Twilio was answering): we cannot know whether
 * Twilio took it and will not send it twice. The message is marked `unknown` and a person checks.
 */
export async function markUnknownOutcome(db: Db, messageId: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    const moved = await tx.message.updateMany({ where: { id: messageId, status: 'sending', twilioSid: null }, data: { status: 'unknown' } });
    if (moved.count === 0) return;
    const m = await tx.message.findUniqueOrThrow({ where: { id: messageId } });
    await openTask(tx, m, 'envoi interrompu, peut-être pas reçu');
  });
}
