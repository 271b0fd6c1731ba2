import { Router, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import twilio from 'twilio';
import { z } from 'zod';
import type { GroupDirectory } from '../catalog/groups.js';
import type { CatalogCache } from '../catalog/openCatalog.js';
import { voice } from '../i18n/voice.js';
import { attachRecording } from '../orders/callTasks.js';
import type { OrderService } from '../orders/orderService.js';
import { isUniqueViolation, type Db } from '../platform/db/client.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { toE164 } from '../platform/phone.js';
import { parseWebhook, sendTwiml } from '../platform/webhook.js';
import { callContextOf, loadCallerFacts } from './callContext.js';
import { effectLabel, runEffect, type Recording } from './callEffects.js';
import { openCall } from './callStart.js';
import { createCallStore, extendPath, type CallRecord } from './callState.js';
import { FINAL_CALL_STATUSES, summarise } from './callSummary.js';
import { step, type Effect, type Input, type Transition } from './menu.js';
import { renderPrompt } from './twiml.js';

const TX_OPTIONS = { maxWait: 10_000, timeout: 12_000 };

const IncomingCallBody = z.object({
  CallSid: z.string().min(1),
  From: z.string().min(1),
  To: z.string().min(1),
});

const StepBody = z.object({
  CallSid: z.string().min(1),
  // Twilio sends them with every step: what restarts a call whose state was lost
  From: z.string().min(1).optional(),
  To: z.string().min(1).optional(),
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

const CallStatusCallback = z.object({
  CallSid: z.string().min(1),
  CallStatus: z.string().min(1),
  CallDuration: z.coerce.number().int().nonnegative().optional(),
});

export interface VoiceRouteDeps {
  db: Db;
  /** where each call's state lives while it lasts */
  redis: Redis;
  redisPrefix?: string;
  log: Logger;
  groups: GroupDirectory;
  orders: OrderService;
  catalogs: CatalogCache;
  publicBaseUrl: string;
  now?: () => Date;
}

/**
 * POST /twilio/voice (a call comes in), /twilio/voice/step (each answer), /twilio/recording, and
 * /twilio/voice/status (the call ended: its summary is written).
 */
export function voiceRouter(deps: VoiceRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'voice' });
  const clock = deps.now ?? (() => new Date());
  const store = createCallStore(deps.redis, deps.redisPrefix, log);

  /** What the caller did; nothing at all (the Gather's fallback Redirect, …&timeout=1) is a timeout. */
  function inputOf(body: z.infer<typeof StepBody>): Input {
    if (body.DialCallStatus) return { kind: 'dial', status: body.DialCallStatus };
    if (body.RecordingUrl) return { kind: 'recorded' };
    if (body.SpeechResult) return { kind: 'speech', text: body.SpeechResult };
    if (body.Digits) return { kind: 'digits', digits: body.Digits };
    return { kind: 'timeout' };
  }

  const render = (t: Transition, nextSeq: number, v: CallRecord['voice']) =>
    renderPrompt(t.prompt, {
      actionUrl: `${deps.publicBaseUrl}/twilio/voice/step?seq=${nextSeq}`,
      recordingCallbackUrl: `${deps.publicBaseUrl}/twilio/recording`,
      voice: v.name,
      language: v.language,
    });

  /** The answer to step `seq`, and the record the next step starts from. */
  function stepDone(record: CallRecord, seq: number, t: Transition): { twiml: string; save: CallRecord } {
    const twiml = render(t, seq + 1, record.voice);
    return { twiml, save: { ...record, menu: t.state, step: seq + 1, path: extendPath(record.path, t.state.node) } };
  }

  /** The call has no state (it starts, or its state was lost): from the database, then the menu. */
  async function begin(callSid: string, from: string | undefined, to: string | undefined, seq: number): Promise<{ twiml: string; save?: CallRecord }> {
    const group = to ? await deps.groups(to) : null;
    if (!from || !to || !group) throw new Error('a call without state, and nothing to start it again from');
    const mode = seq === 0 ? 'start' : 'restart';
    if (mode === 'restart') log.warn({ seq }, 'call state lost mid-call: the menu starts again');
    const opened = await openCall(deps, { callSid, from: toE164(from) ?? from, to, group }, mode, clock());
    // a step after the call's end was recorded: nothing more to do in it
    if (!opened) return { twiml: renderPrompt({ say: [voice.goodbyeSimple()], hangup: true }, { actionUrl: '', recordingCallbackUrl: '', voice: group.voiceName, language: group.voiceLanguage }) };
    return stepDone(opened.record, seq, opened.transition);
  }

  /**
   * The durable effect of a step (and any its outcome leads to), in one transaction. It commits
   * before the call's state is saved: a process dying between the two (a window of a few ms) leaves
   * Twilio's retry to do it again; the call's lock covers every other case.
   */
  function carryOut(record: CallRecord, effect: Effect, transition: Transition, rec: Recording, now: Date): Promise<{ transition: Transition; next: CallRecord }> {
    const { after } = transition;
    return deps.db.$transaction(async (tx) => {
      const party = { ...record, timeZone: record.facts.timeZone };
      const done = await runEffect(tx, { orders: deps.orders, catalogs: deps.catalogs, now }, effect, party, rec);
      const effects = [...record.effects];
      const label = effectLabel(effect, done.outcome);
      if (label) effects.push(label);
      let t = after ? after(done.outcome) : { ...transition, effect: undefined };
      if (t.effect) {
        const more = await runEffect(tx, { orders: deps.orders, catalogs: deps.catalogs, now }, t.effect, { ...party, customerId: done.customerId }, rec);
        const moreLabel = effectLabel(t.effect, more.outcome);
        if (moreLabel) effects.push(moreLabel);
        t = { ...t, effect: undefined };
      }
      return { transition: t, next: { ...record, customerId: done.customerId, effects }, changed: label !== null && !t.prompt.hangup };
    }, TX_OPTIONS).then(async ({ transition: t, next, changed }) => {
      if (!changed) return { transition: t, next };
      // the caller's orders changed: the rest of the call says so. Read after the commit, not in the
      // transaction: an order placed holds its distribution's lock until then, and every other
      // caller confirming waits for it (measured: 69 confirmations/s at 50 calls with the read inside)
      const facts = record.facts;
      try {
        const fresh = await loadCallerFacts(deps.db, { groupId: record.groupId, groupName: facts.groupName, timeZone: facts.timeZone, operatorPhone: facts.operatorPhone, operatorHours: facts.operatorHours, customerId: next.customerId }, deps.catalogs, now);
        return { transition: t, next: { ...next, facts: fresh } };
      } catch (err) {
        // the order is committed: the step must be recorded (a retry would place it again); the
        // rest of the call goes on with what was known at its start
        log.warn({ err, callSessionId: record.callSessionId }, 'caller facts not refreshed after an order: the call goes on with those of its start');
        return { transition: t, next };
      }
    });
  }

  /**
   * One step of a call, alone for this call (see CallStore.step), idempotent per (CallSid, seq):
   * a plain keypress is two Redis round trips and no SQL; the database only for a durable effect.
   */
  function answer(call: { callSid: string; from?: string; to?: string }, seq: number, input: Input, rec: Recording): Promise<string> {
    return store.step(call.callSid, seq, async ({ record, receipt }) => {
      if (receipt) return { twiml: receipt };
      if (!record) return begin(call.callSid, call.from, call.to, seq);
      if (seq !== record.step) {
        // an answer to a step this call is not at (a late retry): ask the current question again
        const twiml = new twilio.twiml.VoiceResponse();
        twiml.redirect({ method: 'POST' }, `${deps.publicBaseUrl}/twilio/voice/step?seq=${record.step}&timeout=1`);
        return { twiml: twiml.toString() };
      }
      const now = clock();
      const ctx = callContextOf(record.facts, await deps.catalogs(deps.db, record.groupId), now);
      let transition = step(record.menu, input, ctx);
      let next = record;
      if (transition.effect) ({ transition, next } = await carryOut(record, transition.effect, transition, rec, now));
      return stepDone(next, seq, transition);
    });
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
    const call = parseWebhook(IncomingCallBody, req.body);
    const group = await deps.groups(call.To);
    if (!group) {
      log.warn({ to: call.To }, 'call to a number no group owns');
      return sendTwiml(res, new twilio.twiml.VoiceResponse());
    }
    send(res, await answer({ callSid: call.CallSid, from: call.From, to: call.To }, 0, { kind: 'start' }, {}));
  }));

  router.post('/twilio/voice/step', voiceFallback(async (req, res) => {
    const body = parseWebhook(StepBody, req.body);
    const query = parseWebhook(StepQuery, req.query);
    const rec: Recording = body.RecordingSid ? { recordingSid: body.RecordingSid, recordingUrl: body.RecordingUrl, recordingSeconds: body.RecordingDuration } : {};
    send(res, await answer({ callSid: body.CallSid, from: body.From, to: body.To }, query.seq, inputOf(body), rec));
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

  /**
   * The number's StatusCallback (set by `twilio connect`): once the call is over, its summary is
   * written once (a second delivery finds it written) and its state in Redis is dropped.
   */
  router.post('/twilio/voice/status', async (req, res) => {
    const cb = parseWebhook(CallStatusCallback, req.body);
    const status = cb.CallStatus.toLowerCase();
    if (!FINAL_CALL_STATUSES.has(status)) {
      res.status(204).end();
      return;
    }
    let record: CallRecord | null = null;
    try {
      // read after any step still running for this call (the caller hung up during it): its node counts
      record = await store.settled(cb.CallSid);
    } catch (err) {
      // Redis unreachable: the summary without the path, rather than none
      log.warn({ err }, 'call state unreadable at the call’s end: summary without its path');
    }
    const s = summarise(record, status, cb.CallDuration, clock());
    await deps.db.callSession.updateMany({
      where: { callSid: cb.CallSid, endedAt: null },
      data: {
        endedAt: clock(), outcome: s.outcome, path: s.path, durationSeconds: s.durationSeconds,
        ...(s.lastNode ? { state: s.lastNode } : {}), ...(record ? { step: record.step } : {}), ...(record?.customerId ? { customerId: record.customerId } : {}),
      },
    });
    if (record) await store.forget(cb.CallSid).catch((err: unknown) => log.warn({ err }, 'call state not dropped: it expires within the hour'));
    res.status(204).end();
  });

  return router;
}
