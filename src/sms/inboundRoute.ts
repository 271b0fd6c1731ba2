import { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { GroupDirectory } from '../catalog/groups.js';
import { smsFr } from '../i18n/fr.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { toE164 } from '../platform/phone.js';
import { parseWebhook, sendTwiml } from '../platform/webhook.js';
import { createInboundSmsLog } from './messageLog.js';

const InboundSms = z.object({
  MessageSid: z.string().min(1),
  From: z.string().min(1),
  To: z.string().min(1),
  Body: z.string().default(''),
});

export interface SmsRouteDeps {
  db: Db;
  log: Logger;
  groups: GroupDirectory;
}

/** POST /twilio/sms: records the inbound message and answers. Ordering arrives with issue 3. */
export function smsRouter(deps: SmsRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'sms' });
  const messages = createInboundSmsLog(deps.db);

  router.post('/twilio/sms', async (req, res) => {
    const sms = parseWebhook(InboundSms, req.body);
    const reply = new twilio.twiml.MessagingResponse();
    const group = await deps.groups(sms.To);
    if (!group) {
      log.warn({ to: sms.To }, 'SMS to a number no group owns');
      return sendTwiml(res, reply);
    }
    const from = toE164(sms.From) ?? sms.From;
    const text = smsFr.holdingReply(group.name);
    const recorded = await messages.record({ groupId: group.id, messageSid: sms.MessageSid, from, to: sms.To, body: sms.Body }, text);
    if (!recorded) {
      // Twilio retried a webhook we already handled: no second reply
      log.info({ messageSid: sms.MessageSid }, 'duplicate SMS webhook ignored');
      return sendTwiml(res, reply);
    }
    reply.message(text);
    sendTwiml(res, reply);
  });

  return router;
}
