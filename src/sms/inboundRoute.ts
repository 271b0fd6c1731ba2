import { Router, type Response } from 'express';
import twilio from 'twilio';
import type { Logger } from '../platform/logger.js';
import { parseWebhook } from '../platform/webhook.js';
import type { SmsAcceptor } from './accept.js';
import { InboundSms, type InboundSmsFields } from './inboundSms.js';
import type { SmsJournal } from './journal.js';

export interface SmsRouteDeps {
  log: Logger;
  accept: SmsAcceptor;
  journal: SmsJournal;
}

// the reply leaves later, from the worker, through the sender queue (with a StatusCallback)
const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();

/**
 * POST /twilio/sms: the text is kept (one statement) and answered by the worker; the response is
 * an empty TwiML. POST /twilio/sms/fallback: the number's "primary handler fails" URL: journal only.
 */
export function smsRouter(deps: SmsRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'sms' });

  router.post('/twilio/sms', async (req, res) => {
    const sms = parseWebhook(InboundSms, req.body);
    try {
      await deps.accept(sms);
    } catch (err) {
      // Twilio never retries an SMS webhook: keep the text for the worker, or answer 503 so that
      // Twilio calls the fallback URL (README: "Inbound SMS when something is down")
      log.error({ err, messageSid: sms.MessageSid }, 'inbound SMS not stored: journaling it');
      await journalOr503(sms, res);
      return;
    }
    sendEmpty(res);
  });

  router.post('/twilio/sms/fallback', async (req, res) => {
    const sms = parseWebhook(InboundSms, req.body);
    log.warn({ messageSid: sms.MessageSid }, 'inbound SMS on the fallback URL: journaled');
    await journalOr503(sms, res);
  });

  function sendEmpty(res: Response): void {
    res.status(200).type('text/xml').send(EMPTY_TWIML);
  }

  async function journalOr503(sms: InboundSmsFields, res: Response): Promise<void> {
    try {
      await deps.journal.accept(sms);
    } catch (err) {
      log.error({ err, messageSid: sms.MessageSid }, 'inbound SMS journal unavailable too: 503, Twilio tries the fallback URL');
      res.status(503).type('text/plain').send('Service unavailable');
      return;
    }
    sendEmpty(res);
  }

  return router;
}
