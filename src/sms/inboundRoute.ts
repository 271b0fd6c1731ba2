import { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { groupByNumber } from '../catalog/groups.js';
import { smsFr } from '../i18n/fr.js';
import { isUniqueViolation, type Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { toE164 } from '../platform/phone.js';
import { parseWebhook, sendTwiml } from '../platform/webhook.js';
import { countSegments } from './segments.js';

const InboundSms = z.object({
  MessageSid: z.string().min(1),
  From: z.string().min(1),
  To: z.string().min(1),
  Body: z.string().default(''),
});

export interface SmsRouteDeps {
  db: Db;
  log: Logger;
}

/** POST /twilio/sms: records the inbound message and answers. Ordering arrives with issue 3. */
export function smsRouter(deps: SmsRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'sms' });

  router.post('/twilio/sms', async (req, res) => {
    const sms = parseWebhook(InboundSms, req.body);
    const reply = new twilio.twiml.MessagingResponse();
    const group = await groupByNumber(deps.db, sms.To);
    if (!group) {
      log.warn({ to: sms.To }, 'SMS to a number no group owns');
      return sendTwiml(res, reply);
    }
    const from = toE164(sms.From) ?? sms.From;
    const customer = await deps.db.customer.findUnique({ where: { groupId_phone: { groupId: group.id, phone: from } }, select: { id: true } });
    const text = smsFr.holdingReply(group.name);
    const cost = countSegments(text);
    try {
      await deps.db.$transaction(async (tx) => {
        const inbound = countSegments(sms.Body);
        await tx.message.create({
          data: {
            groupId: group.id, direction: 'inbound', twilioSid: sms.MessageSid, fromPhone: from, toPhone: sms.To,
            body: sms.Body, segments: inbound.segments, encoding: inbound.encoding, status: 'received', customerId: customer?.id,
          },
        });
        await tx.message.create({
          data: {
            groupId: group.id, direction: 'outbound', fromPhone: sms.To, toPhone: from, body: text,
            segments: cost.segments, encoding: cost.encoding, status: 'queued', customerId: customer?.id,
          },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        // Twilio retried a webhook we already handled: no second reply
        log.info({ messageSid: sms.MessageSid }, 'duplicate SMS webhook ignored');
        return sendTwiml(res, reply);
      }
      throw err;
    }
    reply.message(text);
    sendTwiml(res, reply);
  });

  return router;
}
