import { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { GroupDirectory } from '../catalog/groups.js';
import { voiceFr } from '../i18n/fr.js';
import { isUniqueViolation, type Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { toE164 } from '../platform/phone.js';
import { parseWebhook, sendTwiml } from '../platform/webhook.js';

/** A call that Twilio never reports as ended still stops holding state after this. */
export const CALL_EXPIRY_MS = 15 * 60_000;

const IncomingCall = z.object({
  CallSid: z.string().min(1),
  From: z.string().min(1),
  To: z.string().min(1),
});

const RecordingCallback = z.object({
  CallSid: z.string().min(1),
  RecordingSid: z.string().min(1),
  RecordingUrl: z.string().min(1),
  RecordingDuration: z.coerce.number().int().nonnegative().optional(),
  RecordingStatus: z.string().optional(),
});

export interface VoiceRouteDeps {
  db: Db;
  log: Logger;
  groups: GroupDirectory;
}

type VoiceName = Parameters<InstanceType<typeof twilio.twiml.VoiceResponse>['say']>[0] extends infer A
  ? A extends { voice?: infer V } ? V : never
  : never;
type VoiceLanguage = Parameters<InstanceType<typeof twilio.twiml.VoiceResponse>['say']>[0] extends infer A
  ? A extends { language?: infer L } ? L : never
  : never;

/** POST /twilio/voice and /twilio/recording. The menu itself arrives with issue 4. */
export function voiceRouter(deps: VoiceRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'voice' });

  router.post('/twilio/voice', async (req, res) => {
    const call = parseWebhook(IncomingCall, req.body);
    const response = new twilio.twiml.VoiceResponse();
    const group = await deps.groups(call.To);
    if (!group) {
      log.warn({ to: call.To }, 'call to a number no group owns');
      return sendTwiml(res, response);
    }
    const from = toE164(call.From) ?? call.From;
    const customer = await deps.db.customer.findUnique({ where: { groupId_phone: { groupId: group.id, phone: from } }, select: { id: true } });
    try {
      await deps.db.callSession.create({
        data: {
          groupId: group.id, callSid: call.CallSid, fromPhone: from, toPhone: call.To,
          customerId: customer?.id, expiresAt: new Date(Date.now() + CALL_EXPIRY_MS),
        },
      });
    } catch (err) {
      // a retried webhook: the session exists, answer the same thing again
      if (!isUniqueViolation(err)) throw err;
    }
    response.say(
      { language: group.voiceLanguage as VoiceLanguage, voice: group.voiceName as VoiceName },
      voiceFr.holdingMessage(group.name),
    );
    response.hangup();
    sendTwiml(res, response);
  });

  router.post('/twilio/recording', async (req, res) => {
    const rec = parseWebhook(RecordingCallback, req.body);
    const session = await deps.db.callSession.findUnique({ where: { callSid: rec.CallSid } });
    if (!session) {
      log.warn({ recordingSid: rec.RecordingSid }, 'recording for an unknown call');
      res.status(204).end();
      return;
    }
    const already = await deps.db.callTask.findUnique({ where: { recordingSid: rec.RecordingSid }, select: { id: true } });
    if (already) {
      res.status(204).end();
      return;
    }
    const recording = { recordingSid: rec.RecordingSid, recordingUrl: rec.RecordingUrl, recordingSeconds: rec.RecordingDuration };
    try {
      // the task the menu opened for this call gets its recording; otherwise nothing is lost: a call-back task
      const waiting = await deps.db.callTask.findFirst({
        where: { callSessionId: session.id, recordingSid: null },
        orderBy: { createdAt: 'desc' },
      });
      if (waiting) await deps.db.callTask.update({ where: { id: waiting.id }, data: recording });
      else {
        await deps.db.callTask.create({
          data: { groupId: session.groupId, kind: 'call_back', callerPhone: session.fromPhone, customerId: session.customerId, callSessionId: session.id, ...recording },
        });
      }
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    res.status(204).end();
  });

  return router;
}
