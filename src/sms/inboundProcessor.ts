// The worker's side of an inbound SMS: one resident's texts one at a time, in the order received,
// different residents in parallel. Each text is answered in one short transaction:
//   1. try the resident's lock (their number in the group) — held elsewhere: the job waits a moment;
//   2. their oldest waiting text, with the staff member, resident and conversation behind it;
//   3. what the conversation (or the delivery staff's commands) decides;
//   4. one statement: the text handled, the conversation's state, the reply to send.
// Step 2 takes the OLDEST waiting text, not the job's own: whichever worker holds the lock answers
// the resident's texts in order, and a job whose text was answered by another finds nothing to do.
import type { GroupDirectory } from '../catalog/groups.js';
import type { StaffSender, StaffSmsHandler } from '../delivery/staffSms.js';
import { residentErrorText } from '../i18n/errors.js';
import { sms } from '../i18n/sms.js';
import { toGsm7 } from '../i18n/gsm7.js';
import { Prisma, type Db, type Tx } from '../platform/db/client.js';
import { UPCOMING_DISTRIBUTION_STATUSES } from '../orders/readModels.js';
import { ACTIVE_STATUSES } from '../orders/status.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import type { ConversationAnswer, ReplyKind, ResidentRow, SmsConversation } from './conversation.js';
import { countSegments } from './segments.js';

const TX_OPTIONS = { maxWait: 10_000, timeout: 12_000 };

export interface ReplyToSend {
  id: string;
  fromPhone: string;
}

export interface InboundProcessorDeps {
  db: Db;
  log: Logger;
  groups: GroupDirectory;
  conversation: SmsConversation;
  staff: StaffSmsHandler;
  /** hands a reply to the sender queue, right after its transaction committed */
  sendReply: (reply: ReplyToSend) => Promise<void>;
}

interface WaitingText {
  id: string;
  fromPhone: string;
  toPhone: string;
  body: string;
  staffRole: 'lead' | 'courier' | null;
  staffId: string | null;
  staffName: string | null;
  customerId: string | null;
  name: string | null;
  address: string | null;
  deliveryByDefault: boolean | null;
  smsOptedOut: boolean | null;
  privacyNoticeAt: Date | null;
  convState: string | null;
  convData: unknown;
  convExpiresAt: Date | null;
  activeId: string | null;
  activeDistributionId: string | null;
  activeBasket: number | null;
  activeEstimatedCents: number | null;
  activeWeighed: boolean | null;
}

type Turn = { kind: 'busy' } | { kind: 'idle' } | { kind: 'answered'; id: string; reply: ReplyToSend | null };

/** The reply row's fields; `null` body: nothing to send. */
interface Finish {
  text: WaitingText;
  groupId: string;
  customerId: string | null;
  reply: string | null;
  kind: ReplyKind;
  recipientRole: 'resident' | 'lead' | 'courier';
}

export function createInboundProcessor(deps: InboundProcessorDeps) {
  const log = deps.log.child({ module: 'sms-worker' });

  /** Statement 1: the text's resident locked for this transaction, unless another holds them. */
  async function lockResidentOf(tx: Tx, messageId: string) {
    const [head] = await tx.$queryRaw<{ groupId: string; fromPhone: string; handled: boolean; locked: boolean }[]>`
      SELECT "groupId", "fromPhone", "processedAt" IS NOT NULL AS handled,
             pg_try_advisory_xact_lock(hashtext('sms:' || "groupId" || ':' || "fromPhone")) AS locked
      FROM "Message" WHERE id = ${messageId} AND direction = 'inbound'`;
    return head;
  }

  /** Statement 2 (a snapshot taken after the lock): the resident's oldest waiting text and who they are. */
  async function oldestWaiting(tx: Tx, groupId: string, fromPhone: string): Promise<WaitingText | undefined> {
    const [row] = await tx.$queryRaw<WaitingText[]>`
      SELECT m.id, m."fromPhone", m."toPhone", m.body,
             st.role AS "staffRole", st.id AS "staffId", st.name AS "staffName",
             cu.id AS "customerId", cu.name, cu.address, cu."deliveryByDefault", cu."smsOptedOut", cu."privacyNoticeAt",
             cv.state AS "convState", cv.data AS "convData", cv."expiresAt" AS "convExpiresAt",
             ao.id AS "activeId", ao."distributionId" AS "activeDistributionId", ao."basketNumber" AS "activeBasket", ao."estimatedCents" AS "activeEstimatedCents",
             ao.weighed AS "activeWeighed"
      FROM "Message" m
      LEFT JOIN LATERAL (
        SELECT 'lead' AS role, s.id, s.name FROM "StaffUser" s
        WHERE s."groupId" = m."groupId" AND s.role = 'delivery_lead' AND s.active AND s.phone = m."fromPhone"
        UNION ALL
        SELECT 'courier' AS role, c.id, c.name FROM "Courier" c WHERE c."groupId" = m."groupId" AND c.active AND c.phone = m."fromPhone"
        ORDER BY role DESC LIMIT 1
      ) st ON true
      LEFT JOIN "Customer" cu ON cu."groupId" = m."groupId" AND cu.phone = m."fromPhone"
      LEFT JOIN "SmsConversation" cv ON cv."customerId" = cu.id
      -- their order in progress, the soonest to hand over: activeOrdersOf (orders/readModels.ts) in SQL
      LEFT JOIN LATERAL (
        SELECT o.id, o."distributionId", o."basketNumber", o."estimatedCents",
               EXISTS (SELECT 1 FROM "OrderLine" l WHERE l."orderId" = o.id AND l."variableWeight") AS weighed
        FROM "Order" o JOIN "Distribution" d ON d.id = o."distributionId"
        WHERE o."customerId" = cu.id AND o.status::text IN (${Prisma.join([...ACTIVE_STATUSES])}) AND d.status::text IN (${Prisma.join([...UPCOMING_DISTRIBUTION_STATUSES])})
        ORDER BY d."pickupStart", o."createdAt" LIMIT 1
      ) ao ON true
      WHERE m."groupId" = ${groupId} AND m."fromPhone" = ${fromPhone} AND m.direction = 'inbound' AND m."processedAt" IS NULL
      ORDER BY m."createdAt", m.id
      LIMIT 1`;
    return row;
  }

  /** The last statement: the text handled, the reply to send (if any), and for a resident their conversation. */
  async function finish(tx: Tx, f: Finish, conversation: ConversationAnswer | null): Promise<ReplyToSend | null> {
    const cost = f.reply === null ? null : countSegments(f.reply);
    const conv = conversation?.conversation;
    const rows = await tx.$queryRaw<{ id: string }[]>`
      WITH handled AS (
        UPDATE "Message" SET "processedAt" = now(), "customerId" = COALESCE("customerId", ${f.customerId}), "updatedAt" = now()
        WHERE id = ${f.text.id} RETURNING id
      ), conversation AS (
        INSERT INTO "SmsConversation" ("customerId", "groupId", state, data, "expiresAt", "updatedAt")
        SELECT ${f.customerId}, ${f.groupId}, ${conv?.state ?? 'idle'}, ${JSON.stringify(conv?.data ?? {})}::jsonb, ${conv?.expiresAt ?? new Date()}, now()
        WHERE ${conv !== undefined}
        ON CONFLICT ("customerId") DO UPDATE SET state = EXCLUDED.state, data = EXCLUDED.data, "expiresAt" = EXCLUDED."expiresAt", "updatedAt" = now()
        RETURNING 1
      ), told AS (
        UPDATE "Customer" SET "privacyNoticeAt" = now(), "updatedAt" = now()
        WHERE ${conversation?.noticeGiven ?? false} AND id = ${f.customerId} AND "privacyNoticeAt" IS NULL
        RETURNING 1
      )
      INSERT INTO "Message" (id, "groupId", direction, channel, "fromPhone", "toPhone", body, segments, encoding, status, kind, "recipientRole", "customerId", "inReplyToId", "updatedAt")
      SELECT gen_random_uuid(), ${f.groupId}, 'outbound', 'sms', ${f.text.toPhone}, ${f.text.fromPhone}, ${f.reply}, ${cost?.segments ?? 1}, ${cost?.encoding ?? 'GSM-7'},
             'pending', ${f.kind}, ${f.recipientRole}, ${f.customerId}, ${f.text.id}, now()
      WHERE ${f.reply !== null}
      RETURNING id`;
    return rows[0] ? { id: rows[0].id, fromPhone: f.text.toPhone } : null;
  }

  function residentOf(t: WaitingText): ResidentRow | null {
    if (!t.customerId) return null;
    return {
      id: t.customerId, name: t.name, address: t.address, deliveryByDefault: t.deliveryByDefault ?? false, smsOptedOut: t.smsOptedOut ?? false, privacyNoticeAt: t.privacyNoticeAt,
      conversation: t.convState && t.convExpiresAt ? { state: t.convState, data: t.convData, expiresAt: t.convExpiresAt } : null,
      soonestActiveOrder: t.activeId && t.activeDistributionId ? { id: t.activeId, distributionId: t.activeDistributionId, basketNumber: t.activeBasket, estimatedCents: t.activeEstimatedCents ?? 0, weighed: t.activeWeighed ?? false } : null,
    };
  }

  /**
   * Answers the resident's oldest waiting text. `failure`: the first try threw; this turn answers
   * that text with the error's sentence and leaves the conversation where it was.
   */
  async function takeTurn(messageId: string, failure?: unknown): Promise<Turn> {
    return deps.db.$transaction(async (tx): Promise<Turn> => {
      const head = await lockResidentOf(tx, messageId);
      if (!head || head.handled) return { kind: 'idle' };
      if (!head.locked) return { kind: 'busy' };
      const text = await oldestWaiting(tx, head.groupId, head.fromPhone);
      if (!text) return { kind: 'idle' };
      const group = await deps.groups(text.toPhone, tx);
      if (!group) {
        // the number left its group since: kept, not answered
        log.warn({ messageId: text.id }, 'text to a number no group owns any more: not answered');
        await finish(tx, { text, groupId: head.groupId, customerId: text.customerId, reply: null, kind: 'reply', recipientRole: 'resident' }, null);
        return { kind: 'answered', id: text.id, reply: null };
      }
      if (failure !== undefined) {
        const sentence = failure instanceof AppError ? residentErrorText(failure) : sms.notUnderstood();
        const reply = await finish(tx, { text, groupId: group.id, customerId: text.customerId, reply: toGsm7(sentence), kind: 'reply', recipientRole: text.staffRole ?? 'resident' }, null);
        return { kind: 'answered', id: text.id, reply };
      }
      const input = { group, body: text.body };
      if (text.staffRole && text.staffId && text.staffName) {
        const sender: StaffSender = { role: text.staffRole, id: text.staffId, name: text.staffName };
        const answer = await deps.staff(tx, sender, input);
        if (answer !== null) {
          const reply = await finish(tx, { text, groupId: group.id, customerId: null, reply: answer, kind: 'reply', recipientRole: sender.role }, null);
          return { kind: 'answered', id: text.id, reply };
        }
      }
      const answer = await deps.conversation.answer(tx, { id: text.id, group, from: text.fromPhone, to: text.toPhone, body: text.body }, residentOf(text));
      const reply = await finish(tx, { text, groupId: group.id, customerId: answer.customerId, reply: answer.reply, kind: answer.kind, recipientRole: 'resident' }, answer);
      return { kind: 'answered', id: text.id, reply };
    }, TX_OPTIONS);
  }

  /**
   * Answers the job's text, and first any text of the same resident waiting before it. 'busy':
   * another worker holds the resident (it answers in order; this job looks again shortly).
   * `lastAttempt`: an unexpected failure is answered "not understood" instead of thrown again.
   */
  async function processText(messageId: string, opts: { lastAttempt: boolean } = { lastAttempt: false }): Promise<'done' | 'busy'> {
    for (;;) {
      let turn: Turn;
      try {
        turn = await takeTurn(messageId);
      } catch (err) {
        // a rule the resident ran into has its own sentence; anything else is tried again by the
        // queue (the database may be away), and answered "not understood" only at the last attempt
        if (!(err instanceof AppError) && !opts.lastAttempt) throw err;
        if (err instanceof AppError) log.info({ code: err.code, messageId }, 'sms step refused');
        else log.error({ err, messageId }, 'sms step failed at its last attempt: answered "not understood"');
        turn = await takeTurn(messageId, err);
      }
      if (turn.kind !== 'answered') return turn.kind === 'busy' ? 'busy' : 'done';
      if (turn.reply) await deps.sendReply(turn.reply);
      if (turn.id === messageId) return 'done';
    }
  }

  return { processText };
}

export type InboundProcessor = ReturnType<typeof createInboundProcessor>;
