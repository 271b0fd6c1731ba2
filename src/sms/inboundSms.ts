// One inbound SMS from its validated webhook fields to its outcome, shared by the webhook and the
// replay of the journal (see journal.ts): the same path whether it runs now or after an outage.
import { z } from 'zod';
import type { GroupDirectory, GroupSummary } from '../catalog/groups.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { countSegments } from './segments.js';
import type { SmsConversation } from './conversation.js';
import { personNumber } from './senderKind.js';

// Twilio's own shapes: an SM/MM sid, the group's number in E.164; `From` is a number, a short code
// or an alphanumeric sender ID (letters, digits, a few separators), never more than a few dozen
// characters. Anything else did not come from Twilio as it documents its webhooks: 400.
export const InboundSms = z.object({
  MessageSid: z.string().regex(/^[A-Za-z0-9]{2,64}$/),
  From: z.string().trim().regex(/^\+?[\p{L}\p{N} ._&'-]{1,32}$/u),
  To: z.string().trim().regex(/^\+[1-9]\d{6,14}$/),
  // the body is the resident's own words (control characters were cleaned at the edge)
  Body: z.string().max(5000).default(''),
});

export type InboundSmsFields = z.infer<typeof InboundSms>;

export type StaffCommands = (input: { group: GroupSummary; messageSid: string; from: string; to: string; body: string }) => Promise<{ reply: string | null; duplicate: boolean } | null>;

export interface InboundSmsDeps {
  db: Db;
  log: Logger;
  groups: GroupDirectory;
  conversation: SmsConversation;
  /** the delivery lead's and couriers' commands; null: a resident's text */
  staffCommands?: StaffCommands;
}

export interface InboundOutcome {
  reply: string | null;
  duplicate: boolean;
  /** set when the message was recorded and nothing more: no group owns the number, or not a person */
  ignored?: 'unknown_number' | 'not_a_person';
}

export function createInboundSmsHandler(deps: InboundSmsDeps) {
  const log = deps.log.child({ module: 'sms' });

  /** A sender that is not a person: the text is kept (an operator's notice may matter), nobody is created, nothing is answered. */
  async function recordNotAPerson(group: GroupSummary, sms: InboundSmsFields): Promise<void> {
    const cost = countSegments(sms.Body);
    await deps.db.message.createMany({
      data: [{ groupId: group.id, direction: 'inbound', channel: 'sms', twilioSid: sms.MessageSid, fromPhone: sms.From, toPhone: sms.To, body: sms.Body, segments: cost.segments, encoding: cost.encoding, status: 'received', kind: 'from_non_person' }],
      skipDuplicates: true,
    });
  }

  return async function handleInboundSms(sms: InboundSmsFields): Promise<InboundOutcome> {
    const group = await deps.groups(sms.To);
    if (!group) {
      log.warn({ to: sms.To }, 'SMS to a number no group owns');
      return { reply: null, duplicate: false, ignored: 'unknown_number' };
    }
    const from = personNumber(sms.From);
    if (!from) {
      await recordNotAPerson(group, sms);
      log.info({ messageSid: sms.MessageSid }, 'SMS from a sender that is not a person: recorded, not answered');
      return { reply: null, duplicate: false, ignored: 'not_a_person' };
    }
    const input = { group, messageSid: sms.MessageSid, from, to: sms.To, body: sms.Body };
    const outcome = (await deps.staffCommands?.(input)) ?? (await deps.conversation.handle(input));
    if (outcome.duplicate) log.info({ messageSid: sms.MessageSid }, 'duplicate SMS webhook: same reply again');
    return outcome;
  };
}

export type InboundSmsHandler = ReturnType<typeof createInboundSmsHandler>;
