// A notice told by a short phone call, for residents on a landline or who prefer the voice: said
// twice, "tapez 1 pour réécouter". Unanswered: tried once more later, then a task for the operator.
import { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { voiceNotice } from '../i18n/notices.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { recordEvent } from '../orders/events.js';
import { parseWebhook, sendTwiml } from '../platform/webhook.js';
import { markUnreachable } from './unreachable.js';

type SayAttributes = Parameters<InstanceType<typeof twilio.twiml.VoiceResponse>['say']>[0];

/** Calls tried per notice: the first, and one more later. */
export const NOTICE_CALL_ATTEMPTS = 2;

export interface NoticeCall {
  groupName: string;
  text: string;
  voice: string;
  language: string;
  replayUrl: string;
}

/** The TwiML of a notice call. Pure. */
export function noticeCallTwiml(c: NoticeCall, opts: { replay?: boolean } = {}): string {
  const response = new twilio.twiml.VoiceResponse();
  const say = { voice: c.voice, language: c.language } as SayAttributes;
  response.pause({ length: 1 });
  const gather = response.gather({ input: ['dtmf'], numDigits: 1, action: c.replayUrl, method: 'POST', timeout: 5, actionOnEmptyResult: false });
  if (!opts.replay) gather.say(say, voiceNotice.intro(c.groupName));
  gather.say(say, c.text);
  gather.say(say, voiceNotice.repeat());
  gather.say(say, c.text);
  gather.say(say, voiceNotice.replay());
  response.say(say, voiceNotice.goodbye());
  response.hangup();
  return response.toString();
}

const NoticeQuery = z.object({ messageId: z.uuid() });
const ReplayBody = z.object({ Digits: z.string().optional() });
const CallStatusBody = z.object({ CallSid: z.string().min(1), CallStatus: z.string().min(1) });

/** POST /twilio/voice/notice (the "1 to replay" answer) and /twilio/voice/notice-status (call outcome). */
export function voiceNoticeRouter(deps: { db: Db; log: Logger; publicBaseUrl: string }): Router {
  const router = Router();
  const log = deps.log.child({ module: 'voice-notice' });

  router.post('/twilio/voice/notice', async (req, res) => {
    const { messageId } = parseWebhook(NoticeQuery, req.query);
    const { Digits } = parseWebhook(ReplayBody, req.body);
    const m = await deps.db.message.findUnique({ where: { id: messageId }, include: { group: true } });
    if (!m || Digits !== '1') {
      const bye = new twilio.twiml.VoiceResponse();
      if (m) bye.say({ voice: m.group.voiceName, language: m.group.voiceLanguage } as SayAttributes, voiceNotice.goodbye());
      bye.hangup();
      return sendTwiml(res, bye);
    }
    const twiml = noticeCallTwiml(
      { groupName: m.group.name, text: m.body, voice: m.group.voiceName, language: m.group.voiceLanguage, replayUrl: `${deps.publicBaseUrl}/twilio/voice/notice?messageId=${m.id}` },
      { replay: true },
    );
    res.status(200).type('text/xml').send(twiml);
  });

  router.post('/twilio/voice/notice-status', async (req, res) => {
    const { messageId } = parseWebhook(NoticeQuery, req.query);
    const cb = parseWebhook(CallStatusBody, req.body);
    const status = cb.CallStatus.toLowerCase();
    await deps.db.$transaction(async (tx) => {
      // serialised per message: a duplicated callback finds the work done
      const [m] = await tx.$queryRaw<{ id: string; groupId: string; status: string; attempts: number; twilioSid: string | null }[]>`
        SELECT id, "groupId", status::text, attempts, "twilioSid" FROM "Message" WHERE id = ${messageId} FOR UPDATE`;
      // a callback of an earlier attempt, or about a notice already settled: nothing to do. (The sid
      // may not be recorded yet when Twilio is quicker than our write: the message id says which.)
      if (!m || (m.twilioSid !== null && m.twilioSid !== cb.CallSid) || !['queued', 'sent', 'sending'].includes(m.status)) return;
      if (status === 'completed') {
        await tx.message.update({ where: { id: m.id }, data: { status: 'delivered' } });
      } else if (['busy', 'no-answer', 'failed', 'canceled'].includes(status)) {
        if (m.attempts < NOTICE_CALL_ATTEMPTS) {
          // the worker calls again later (webhooks never talk to Redis: through the outbox)
          await tx.message.update({ where: { id: m.id }, data: { status: 'pending', twilioSid: null } });
          await recordEvent(tx, m.groupId, 'message.retry_call', m.id, { messageId: m.id });
        } else {
          await markUnreachable(tx, m.id, { code: null });
        }
      }
    });
    log.info({ messageId, status }, 'notice call ended');
    res.status(204).end();
  });

  return router;
}
