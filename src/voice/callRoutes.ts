import { Router, type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { openAndNextDistribution } from '../catalog/distributions.js';
import type { GroupDirectory } from '../catalog/groups.js';
import type { CatalogCache } from '../catalog/openCatalog.js';
import { spokenPickup, voice } from '../i18n/voice.js';
import { OrderWindowClosedError, OutOfStockError } from '../orders/errors.js';
import { ensureCustomerByPhone } from '../orders/customers.js';
import type { OrderService } from '../orders/orderService.js';
import { attachRecording, openCallTask } from '../orders/callTasks.js';
import { activeOrderOf } from '../orders/readModels.js';
import { isUniqueViolation, type Db, type Tx } from '../platform/db/client.js';
import { withSavepoint } from '../platform/db/savepoint.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { toE164 } from '../platform/phone.js';
import { parseWebhook, sendTwiml } from '../platform/webhook.js';
import { withFirstCallNotice } from '../privacy/notice.js';
import { loadCallContext, type OperatorHours } from './callContext.js';
import { initialState, start, step, type CallState, type Effect, type EffectOutcome, type Input, type Transition } from './menu.js';
import { renderPrompt } from './twiml.js';

/** A call that Twilio never reports as ended still stops holding state after this. */
export const CALL_EXPIRY_MS = 15 * 60_000;
const TX_OPTIONS = { maxWait: 10_000, timeout: 12_000 };

const IncomingCall = z.object({
  CallSid: z.string().min(1),
  From: z.string().min(1),
  To: z.string().min(1),
});

const StepBody = z.object({
  CallSid: z.string().min(1),
  Digits: z.string().optional(),
  SpeechResult: z.string().optional(),
  RecordingUrl: z.string().optional(),
  RecordingSid: z.string().optional(),
  RecordingDuration: z.coerce.number().int().nonnegative().optional(),
  DialCallStatus: z.string().optional(),
});

const StepQuery = z.object({ seq: z.coerce.number().int().nonnegative(), timeout: z.string().optional() });

const RecordingCallback = z.object({
  CallSid: z.string().min(1),
  RecordingSid: z.string().min(1),
  RecordingUrl: z.string().min(1),
  RecordingDuration: z.coerce.number().int().nonnegative().optional(),
});

export interface VoiceRouteDeps {
  db: Db;
  log: Logger;
  groups: GroupDirectory;
  orders: OrderService;
  catalogs: CatalogCache;
  publicBaseUrl: string;
  now?: () => Date;
}

interface Recording {
  recordingSid?: string;
  recordingUrl?: string;
  recordingSeconds?: number;
}

/** POST /twilio/voice (a call comes in), /twilio/voice/step (each answer), /twilio/recording. */
export function voiceRouter(deps: VoiceRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'voice' });
  const clock = deps.now ?? (() => new Date());

  /** What the caller did; nothing at all (the Gather's fallback Redirect, …&timeout=1) is a timeout. */
  function inputOf(body: z.infer<typeof StepBody>): Input {
    if (body.DialCallStatus) return { kind: 'dial', status: body.DialCallStatus };
    if (body.RecordingUrl) return { kind: 'recorded' };
    if (body.SpeechResult) return { kind: 'speech', text: body.SpeechResult };
    if (body.Digits) return { kind: 'digits', digits: body.Digits };
    return { kind: 'timeout' };
  }

  async function runEffect(tx: Tx, effect: Effect, session: { id: string; groupId: string; fromPhone: string; customerId: string | null; group: { timeZone: string } }, rec: Recording): Promise<EffectOutcome> {
    if (effect.kind === 'task') {
      const customerId = session.customerId;
      // the recording's status callback may have come first and opened a task: it gets its kind
      await openCallTask(tx, { groupId: session.groupId, kind: effect.taskKind, callerPhone: session.fromPhone, customerId, callSessionId: session.id, ...rec });
      return { kind: 'done' };
    }
    const customerId = session.customerId ?? (await ensureCustomerByPhone(tx, session.groupId, session.fromPhone, 'voice'));
    if (!session.customerId) await tx.callSession.update({ where: { id: session.id }, data: { customerId } });
    if (effect.kind === 'request_delivery') {
      const order = await activeOrderOf(tx, customerId);
      if (order) await deps.orders.requestDelivery(order.id, effect.address, 'demandé par téléphone', tx);
      return { kind: 'done' };
    }
    const { open: distribution } = await openAndNextDistribution(tx, session.groupId, clock());
    if (!distribution) return { kind: 'window_closed' };
    try {
      const placed = await withSavepoint(tx, () =>
        deps.orders.placeOrder(
          { groupId: session.groupId, customerId, distributionId: distribution.id, channel: 'voice', confirm: true, lines: effect.lines },
          tx,
        ),
      );
      return {
        kind: 'order_placed',
        basket: placed.basketNumber ?? 0,
        totalCents: placed.estimatedCents,
        pickup: spokenPickup(distribution.pickupStart, distribution.pickupEnd, session.group.timeZone),
        place: distribution.relayPoint.name,
      };
    } catch (err) {
      if (err instanceof OutOfStockError) return { kind: 'out_of_stock', productName: err.productName, remaining: err.remaining };
      if (err instanceof OrderWindowClosedError) return { kind: 'window_closed' };
      throw err;
    }
  }

  /** Applies one step of a call: idempotent per (CallSid, seq), serialised per call. */
  async function answer(callSid: string, seq: number, input: Input, rec: Recording): Promise<string> {
    const key = `voice:${callSid}:${seq}`;
    return deps.db.$transaction(async (tx) => {
      const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "CallSession" WHERE "callSid" = ${callSid} FOR UPDATE`;
      if (!locked) return new twilio.twiml.VoiceResponse().hangup().toString();
      const replay = await tx.webhookReceipt.findUnique({ where: { key } });
      if (replay?.response) return replay.response;
      const session = await tx.callSession.findUniqueOrThrow({ where: { id: locked.id }, include: { group: true } });
      const group = session.group;
      const render = (t: Transition, nextSeq: number) =>
        renderPrompt(t.prompt, {
          actionUrl: `${deps.publicBaseUrl}/twilio/voice/step?seq=${nextSeq}`,
          recordingCallbackUrl: `${deps.publicBaseUrl}/twilio/recording`,
          voice: group.voiceName,
          language: group.voiceLanguage,
        });
      const now = clock();
      let transition: Transition;
      if (seq !== session.step) {
        // an answer to an older prompt (a late retry): ask the current question again
        const twiml = new twilio.twiml.VoiceResponse();
        twiml.redirect({ method: 'POST' }, `${deps.publicBaseUrl}/twilio/voice/step?seq=${session.step}&timeout=1`);
        return twiml.toString();
      }
      if (session.expiresAt <= now || session.endedAt) {
        transition = { state: { ...initialState(), node: 'done' }, prompt: { say: [voice.goodbyeSimple()], hangup: true } };
      } else {
        const ctx = await loadCallContext(
          tx,
          {
            groupId: group.id, groupName: group.name, timeZone: group.timeZone, operatorPhone: group.operatorPhone,
            operatorHours: group.operatorHours as unknown as OperatorHours[], customerId: session.customerId,
          },
          deps.catalogs,
          now,
        );
        const state = (session.data as { menu?: CallState }).menu ?? initialState();
        transition = input.kind === 'start' ? await withFirstCallNotice(tx, session.customerId, now, start(ctx)) : step(state, input, ctx);
        if (transition.effect) {
          const outcome = await runEffect(tx, transition.effect, session, rec);
          if (transition.after) {
            transition = transition.after(outcome);
            if (transition.effect) await runEffect(tx, transition.effect, session, rec);
          }
        }
      }
      const nextSeq = seq + 1;
      const twiml = render(transition, nextSeq);
      const ended = Boolean(transition.prompt.hangup);
      await tx.callSession.update({
        where: { id: session.id },
        data: { step: nextSeq, state: transition.state.node, repromptCount: transition.state.reprompts, data: { menu: transition.state } as object, endedAt: ended ? now : undefined },
      });
      await tx.webhookReceipt.create({ data: { key, response: twiml } });
      return twiml;
    }, TX_OPTIONS);
  }

  const send = (res: Response, twiml: string) => res.status(200).type('text/xml').send(twiml);

  /**
   * A caller never hears a JSON 500: what went wrong is logged and the call ends with an apology
   * and where to call instead (Twilio would otherwise play its own English error message).
   */
  function voiceFallback(handler: (req: Request, res: Response) => Promise<void>) {
    return async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (err) {
        // a malformed (but signed) webhook is the caller's Twilio talking wrong: the usual 400
        if (err instanceof AppError && err.code === 'invalid_input') throw err;
        log.error({ err, path: req.path }, 'voice step failed: apology said');
        if (res.headersSent) return;
        send(res, renderPrompt({ say: [voice.technicalProblem()], hangup: true }, { actionUrl: '', recordingCallbackUrl: '', voice: 'Polly.Lea-Neural', language: 'fr-FR' }));
      }
    };
  }

  router.post('/twilio/voice', voiceFallback(async (req, res) => {
    const call = parseWebhook(IncomingCall, req.body);
    const group = await deps.groups(call.To);
    if (!group) {
      log.warn({ to: call.To }, 'call to a number no group owns');
      return sendTwiml(res, new twilio.twiml.VoiceResponse());
    }
    const from = toE164(call.From) ?? call.From;
    const customer = await deps.db.customer.findUnique({ where: { groupId_phone: { groupId: group.id, phone: from } }, select: { id: true } });
    try {
      await deps.db.callSession.create({
        data: { groupId: group.id, callSid: call.CallSid, fromPhone: from, toPhone: call.To, customerId: customer?.id, expiresAt: new Date(clock().getTime() + CALL_EXPIRY_MS) },
      });
    } catch (err) {
      // a retried webhook: the session exists, and step 0 answers the same again
      if (!isUniqueViolation(err)) throw err;
    }
    send(res, await answer(call.CallSid, 0, { kind: 'start' }, {}));
  }));

  router.post('/twilio/voice/step', voiceFallback(async (req, res) => {
    const body = parseWebhook(StepBody, req.body);
    const query = parseWebhook(StepQuery, req.query);
    const rec: Recording = body.RecordingSid ? { recordingSid: body.RecordingSid, recordingUrl: body.RecordingUrl, recordingSeconds: body.RecordingDuration } : {};
    send(res, await answer(body.CallSid, query.seq, inputOf(body), rec));
  }));

  router.post('/twilio/recording', async (req, res) => {
    const rec = parseWebhook(RecordingCallback, req.body);
    const session = await deps.db.callSession.findUnique({ where: { callSid: rec.CallSid } });
    if (!session) {
      log.warn({ recordingSid: rec.RecordingSid }, 'recording for an unknown call');
      res.status(204).end();
      return;
    }
    const recording = { recordingSid: rec.RecordingSid, recordingUrl: rec.RecordingUrl, recordingSeconds: rec.RecordingDuration };
    try {
      // the menu's step has not opened the task yet (or never will): nothing is lost, a call-back
      await deps.db.$transaction((tx) => attachRecording(tx, recording, { groupId: session.groupId, kind: 'call_back', callerPhone: session.fromPhone, customerId: session.customerId, callSessionId: session.id }));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    res.status(204).end();
  });

  return router;
}
