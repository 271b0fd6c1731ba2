import { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { GroupDirectory, GroupSummary } from '../catalog/groups.js';
import type { Logger } from '../platform/logger.js';
import { toE164 } from '../platform/phone.js';
import { parseWebhook, sendTwiml } from '../platform/webhook.js';
import type { SmsConversation } from './conversation.js';

const InboundSms = z.object({
  MessageSid: z.string().min(1),
  From: z.string().min(1),
  To: z.string().min(1),
  // PostgreSQL text holds no NUL; other control characters are noise from broken phones
  Body: z
    .string()
    .max(5000)
    .default('')
    // eslint-disable-next-line no-control-regex
    .transform((b) => b.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')),
});

export interface SmsRouteDeps {
  log: Logger;
  groups: GroupDirectory;
  conversation: SmsConversation;
  /** the delivery lead's and couriers' commands; null: a resident's text */
  staffCommands?: (input: { group: GroupSummary; messageSid: string; from: string; to: string; body: string }) => Promise<{ reply: string | null; duplicate: boolean } | null>;
}

/** POST /twilio/sms: a resident's text in, one reply out (TwiML), every decision in orders/. */
export function smsRouter(deps: SmsRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'sms' });

  router.post('/twilio/sms', async (req, res) => {
    const sms = parseWebhook(InboundSms, req.body);
    const twiml = new twilio.twiml.MessagingResponse();
    const group = await deps.groups(sms.To);
    if (!group) {
      log.warn({ to: sms.To }, 'SMS to a number no group owns');
      return sendTwiml(res, twiml);
    }
    const from = toE164(sms.From) ?? sms.From;
    const input = { group, messageSid: sms.MessageSid, from, to: sms.To, body: sms.Body };
    const outcome = (await deps.staffCommands?.(input)) ?? (await deps.conversation.handle(input));
    if (outcome.duplicate) log.info({ messageSid: sms.MessageSid }, 'duplicate SMS webhook: same reply again');
    if (outcome.reply) twiml.message(outcome.reply);
    sendTwiml(res, twiml);
  });

  return router;
}
