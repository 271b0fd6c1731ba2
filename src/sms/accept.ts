// The webhook's whole job: keep the text, in one statement, and queue it for the worker. The conversation
// runs later, in the worker (inboundWorker.ts): a slow step, a burst or a lock never makes Twilio
// wait, and a text the database took is never lost (RapidPro's courier/mailroom split).
import type { Db } from '../platform/db/client.js';
import { runHot } from '../platform/db/hotStatement.js';
import type { GroupDirectory, GroupSummary } from '../catalog/groups.js';
import type { Logger } from '../platform/logger.js';
import { countSegments } from './segments.js';
import type { InboundSmsFields } from './inboundSms.js';
import { personNumber } from './senderKind.js';

export type AcceptOutcome = { kind: 'accepted'; messageId: string } | { kind: 'duplicate' } | { kind: 'not_a_person' };

/**
 * Stores the inbound text (ON CONFLICT on the MessageSid: a retried webhook changes nothing). A sender that is not a person (an operator's
 * short code, an alphanumeric ID) is stored as handled: kept, never answered.
 */
export async function acceptInboundSms(db: Db, group: GroupSummary, sms: InboundSmsFields): Promise<AcceptOutcome> {
  const person = personNumber(sms.From);
  const cost = countSegments(sms.Body);
  const values = [group.id, sms.MessageSid, person ?? sms.From, sms.To, sms.Body, cost.segments, cost.encoding, person ? 'reply' : 'from_non_person', person ? null : new Date()];
  // the hottest statement of the service goes straight to the pg pool under Prisma: its query
  // engine costs several times the statement itself (scripts/bench/webhooks.ts, the ceiling route)
  const rows = await runHot<{ id: string }>(db, 'sms-accept', ACCEPT_SQL, values);
  const row = rows[0];
  if (!row) return { kind: 'duplicate' };
  return person ? { kind: 'accepted', messageId: row.id } : { kind: 'not_a_person' };
}

const ACCEPT_SQL = `
  INSERT INTO "Message" (id, "groupId", direction, channel, "twilioSid", "fromPhone", "toPhone", body, segments, encoding, status, kind, "processedAt", "updatedAt")
  VALUES (gen_random_uuid(), $1, 'inbound', 'sms', $2, $3, $4, $5, $6, $7, 'received', $8, $9, now())
  ON CONFLICT ("twilioSid") DO NOTHING
  RETURNING id`;

export interface SmsAcceptorDeps {
  db: Db;
  log: Logger;
  groups: GroupDirectory;
  /** a text was accepted: queue it for the worker (never throws; the worker's poll is the net) */
  onAccepted?: (messageId: string) => void;
}

/**
 * The text's group found (by the number it was sent to, from a cache), the text accepted: the
 * webhook's work, and the journal replay's. Rejects when the database cannot take it.
 */
export function createSmsAcceptor(deps: SmsAcceptorDeps) {
  const log = deps.log.child({ module: 'sms' });
  return async function accept(sms: InboundSmsFields): Promise<void> {
    const group = await deps.groups(sms.To);
    if (!group) {
      log.warn({ to: sms.To }, 'SMS to a number no group owns');
      return;
    }
    const outcome = await acceptInboundSms(deps.db, group, sms);
    if (outcome.kind === 'accepted') deps.onAccepted?.(outcome.messageId);
    else if (outcome.kind === 'duplicate') log.info({ messageSid: sms.MessageSid }, 'duplicate SMS webhook: already accepted');
    else log.info({ messageSid: sms.MessageSid }, 'SMS from a sender that is not a person: recorded, not answered');
  };
}

export type SmsAcceptor = ReturnType<typeof createSmsAcceptor>;
