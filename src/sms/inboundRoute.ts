import { Router, type Response } from 'express';
import twilio from 'twilio';
import type { Logger } from '../platform/logger.js';
import { parseWebhook, sendTwiml } from '../platform/webhook.js';
import { InboundSms, type InboundSmsFields, type InboundSmsHandler } from './inboundSms.js';
import type { SmsJournal } from './journal.js';

export interface SmsRouteDeps {
  log: Logger;
  handle: InboundSmsHandler;
  journal: SmsJournal;
}

/**
 * POST /twilio/sms: a resident's text in, one reply out (TwiML), every decision in orders/.
 * POST /twilio/sms/fallback: the number's "primary handler fails" URL: journal only, no database.
 */
export function smsRouter(deps: SmsRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'sms' });

  router.post('/twilio/sms', async (req, res) => {
    const sms = parseWebhook(InboundSms, req.body);
    const twiml = new twilio.twiml.MessagingResponse();
    let outcome;
    try {
      outcome = await deps.handle(sms);
    } catch (err) {
      // Twilio never retries an SMS webhook: keep the text for the worker to replay, or answer
      // 503 so that Twilio calls the fallback URL (README: "Inbound SMS when something is down")
      log.error({ err, messageSid: sms.MessageSid }, 'inbound SMS not handled: journaling it for replay');
      await journalOr503(sms, res);
      return;
    }
    if (outcome.reply) twiml.message(outcome.reply);
    sendTwiml(res, twiml);
  });

  router.post('/twilio/sms/fallback', async (req, res) => {
    const sms = parseWebhook(InboundSms, req.body);
    log.warn({ messageSid: sms.MessageSid }, 'inbound SMS on the fallback URL: journaled for replay');
    await journalOr503(sms, res);
  });

  async function journalOr503(sms: InboundSmsFields, res: Response): Promise<void> {
    try {
      await deps.journal.accept(sms);
    } catch (err) {
      log.error({ err, messageSid: sms.MessageSid }, 'inbound SMS journal unavailable too: 503, Twilio tries the fallback URL');
      res.status(503).type('text/plain').send('Service unavailable');
      return;
    }
    sendTwiml(res, new twilio.twiml.MessagingResponse());
  }

  return router;
}
