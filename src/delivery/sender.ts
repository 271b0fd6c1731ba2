// Sends the Message rows the fan-out wrote: SMS through Twilio's REST API, one queue per sender so
// each number keeps Twilio's pace; short calls for landlines. A job carries a message id, nothing
// else; the row's status (pending → sending → queued…) makes every send happen at most once.
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Twilio } from 'twilio';
import type { Db } from '../platform/db/client.js';
import { runHot } from '../platform/db/hotStatement.js';
import type { Logger } from '../platform/logger.js';
import { DEFAULT_JOB_OPTIONS } from '../platform/queues.js';
import { classifySendError } from './twilioErrors.js';
import { markUnreachable } from './unreachable.js';
import { markLineType } from '../orders/customers.js';
import { noticeCallTwiml } from './voiceNotice.js';

export interface SenderSettings {
  /** SMS segments per second and per sender (Twilio's long-code pace is 1); 0: no limit (benchmarks) */
  segmentsPerSecond: number;
  /** attempts per message on temporary failures (429, 5xx, network, 30003…) */
  attempts: number;
  /** first retry delay; doubled each time, with jitter */
  backoffMs: number;
  /** an unanswered notice call is tried once more after this */
  callRetryDelayMs: number;
  concurrency: number;
}

export const DEFAULT_SENDER_SETTINGS: SenderSettings = { segmentsPerSecond: 1, attempts: 6, backoffMs: 5_000, callRetryDelayMs: 30 * 60_000, concurrency: 4 };

export interface SenderDeps {
  connection: Redis;
  prefix: string;
  db: Db;
  twilio: Twilio;
  log: Logger;
  publicBaseUrl: string;
  settings?: Partial<SenderSettings>;
}

export interface SendJob {
  messageId: string;
}

/** Replies to a text first, then dispatch, news about one's order, reminders (BullMQ: lower is sooner). */
export const PRIORITY = { reply: 1, dispatch: 2, notice: 3, reminder: 4 } as const;

const CALLS_QUEUE = 'calls';
/** A reply whose predecessor to the same person is still being sent looks again after this. */
const REPLY_ORDER_DELAY_MS = 20;
/** While the database is away, a send looks again after this, spending no attempt, up to the limit. */
const DATABASE_RETRY_MS = 1_000;
const DATABASE_WAIT_LIMIT_MS = 60 * 60_000;

/** One queue per sender identity (phone number, Messaging Service, alphanumeric ID). */
export function smsQueueName(sender: string): string {
  return `sms-${sender.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** The claim's answer: the message to send, or (claimed false) the row as it stands, to tell why not. */
interface ClaimRow {
  claimed: boolean;
  id: string;
  fromPhone: string;
  toPhone: string;
  body: string | null;
  segments: number;
  status: string | null;
  channel: string | null;
  recipientRole: string | null;
  kind: string | null;
  inReplyToId: string | null;
  twilioSid: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  optedOut: boolean | null;
}

// A message not claimed, as found, in the claim's answer's shape (the columns after SELECT)
const AS_FOUND = `false AS claimed, m.id, m."fromPhone", m."toPhone", NULL AS body, m.segments, m.status::text AS status, m.channel::text AS channel,
         m."recipientRole", m.kind, m."inReplyToId", m."twilioSid", m."createdAt", m."updatedAt", cu."smsOptedOut" AS "optedOut"
  FROM "Message" m LEFT JOIN "Customer" cu ON cu.id = m."customerId"
  WHERE m.id = $1`;

// Claimed and read in one statement: pending → sending, unless STOP was sent meanwhile, and a
// reply waits for the one before it to the same person (replies reach Twilio in the order of the
// texts they answer, whichever sender worker takes them). Not claimed: the row, to tell why.
const CLAIM_SQL = `
  WITH claimed AS (
    UPDATE "Message" AS m SET status = 'sending', attempts = m.attempts + 1, "updatedAt" = $2
    WHERE m.id = $1 AND m.status = 'pending' AND m.channel = 'sms'
      AND NOT (m."recipientRole" = 'resident' AND m.kind <> 'opt_out_confirmation'
               AND EXISTS (SELECT 1 FROM "Customer" c WHERE c.id = m."customerId" AND c."smsOptedOut"))
      AND NOT (m."inReplyToId" IS NOT NULL AND EXISTS (
        SELECT 1 FROM "Message" e WHERE e."toPhone" = m."toPhone" AND e."groupId" = m."groupId" AND e."inReplyToId" IS NOT NULL
          AND e.status IN ('pending', 'sending') AND e.channel = 'sms' AND (e."createdAt", e.id) < (m."createdAt", m.id)))
    RETURNING m.id, m."fromPhone", m."toPhone", m.body, m.segments
  )
  SELECT true AS claimed, c.id, c."fromPhone", c."toPhone", c.body, c.segments, NULL::text AS status, NULL::text AS channel,
         NULL::text AS "recipientRole", NULL::text AS kind, NULL::text AS "inReplyToId", NULL::text AS "twilioSid",
         NULL::timestamptz AS "createdAt", NULL::timestamptz AS "updatedAt", NULL::boolean AS "optedOut"
  FROM claimed c
  UNION ALL
  SELECT ${AS_FOUND} AND NOT EXISTS (SELECT 1 FROM claimed)`;

/** The row as it stands now, shaped as the claim's answer (a lost claim is judged on it). */
const REREAD_SQL = `SELECT ${AS_FOUND}`;

// the status callback may already have moved it further: only 'sending' becomes 'queued'
const SENT_SQL = `
  UPDATE "Message" SET "twilioSid" = COALESCE("twilioSid", $2),
    status = CASE WHEN status = 'sending' THEN 'queued'::"MessageStatus" ELSE status END, "updatedAt" = now()
  WHERE id = $1`;

export function createSenderPool(deps: SenderDeps) {
  const settings = { ...DEFAULT_SENDER_SETTINGS, ...deps.settings };
  const log = deps.log.child({ module: 'sender' });
  const connection = deps.connection as ConnectionOptions;
  const queues = new Map<string, Queue<SendJob>>();
  const workers = new Map<string, Worker<SendJob>>();
  // the house trimming of finished jobs, with this pool's own retry policy
  const jobOptions = {
    ...DEFAULT_JOB_OPTIONS,
    attempts: settings.attempts,
    backoff: { ...DEFAULT_JOB_OPTIONS.backoff, delay: settings.backoffMs },
  };
  const intervalMs = settings.segmentsPerSecond > 0 ? 1000 / settings.segmentsPerSecond : 0;
  // messages whose claim failed in flight (in this process): the next attempt checks whether it committed
  const lostClaims = new Map<string, number[]>();

  function queue(name: string): Queue<SendJob> {
    let q = queues.get(name);
    if (!q) {
      q = new Queue<SendJob>(name, { connection, prefix: deps.prefix, defaultJobOptions: jobOptions });
      q.on('error', (err) => log.warn({ err, queue: name }, 'sender queue error'));
      queues.set(name, q);
    }
    return q;
  }

  async function sendSms(job: Job<SendJob>, q: Queue<SendJob>, token?: string): Promise<void> {
    // the claim's own mark: a claim whose answer was lost is known by it (another worker's differs)
    const claimAt = new Date();
    let row: ClaimRow | undefined;
    try {
      [row] = await runHot<ClaimRow>(deps.db, 'sender-claim', CLAIM_SQL, [job.data.messageId, claimAt]);
    } catch (err) {
      // the database went away: the claim may have committed with its answer lost (notClaimed
      // takes it back), and waiting for the database spends none of the attempts meant for Twilio
      lostClaims.set(job.data.messageId, [...(lostClaims.get(job.data.messageId) ?? []), claimAt.getTime()]);
      return waitForDatabase(job, token, err);
    }
    if (!row?.claimed) return notClaimed(job, q, token, row).catch((err: unknown) => waitForDatabase(job, token, err));
    const m = row;
    lostClaims.delete(m.id);
    try {
      const sender = m.fromPhone.startsWith('MG') ? { messagingServiceSid: m.fromPhone } : { from: m.fromPhone };
      const sent = await deps.twilio.messages.create({
        ...sender,
        to: m.toPhone,
        body: m.body!,
        statusCallback: `${deps.publicBaseUrl}/twilio/status?messageId=${m.id}`,
      });
      await runHot(deps.db, 'sender-sent', SENT_SQL, [m.id, sent.sid]);
      // a long message spends several segments of the sender's pace
      if (intervalMs > 0 && m.segments > 1) await q.rateLimit(Math.round(m.segments * intervalMs));
    } catch (err) {
      await onSendError(job, m.id, err, 'sms');
    }
  }

  /** Before Twilio is asked, a failure is the database's: look again shortly, spending no attempt. */
  async function waitForDatabase(job: Job<SendJob>, token: string | undefined, err: unknown): Promise<never> {
    if (err instanceof DelayedError || Date.now() - job.timestamp > DATABASE_WAIT_LIMIT_MS) throw err;
    log.warn({ err, messageId: job.data.messageId }, 'sms not claimed (database away?): trying again shortly');
    await job.moveToDelayed(Date.now() + DATABASE_RETRY_MS, token);
    throw new DelayedError();
  }

  /**
   * Why a message was not claimed (`found`: the row as the claim's snapshot saw it, which may
   * predate a claim it waited for): already sent, now a call, STOP, or a reply waiting its turn.
   */
  async function notClaimed(job: Job<SendJob>, q: Queue<SendJob>, token: string | undefined, found: ClaimRow | undefined): Promise<void> {
    // this process's claim committed but its answer was lost: Twilio was never asked (the send
    // follows the claim's answer; the row still bears that claim's mark, so no other worker claimed
    // it since), so it goes back to pending and is claimed again, sent once. Judged on the row read
    // afresh: the snapshot may not show the lost claim yet.
    const lost = lostClaims.get(job.data.messageId);
    if (lost) lostClaims.delete(job.data.messageId);
    const m = lost ? (await runHot<ClaimRow>(deps.db, 'sender-reread', REREAD_SQL, [job.data.messageId]))[0] : found;
    if (m?.updatedAt && lost?.includes(m.updatedAt.getTime()) && m.status === 'sending' && m.channel === 'sms' && m.twilioSid === null) {
      const back = await deps.db.message.updateMany({ where: { id: m.id, status: 'sending', twilioSid: null, updatedAt: m.updatedAt }, data: { status: 'pending' } });
      if (back.count > 0) return sendSms(job, q, token);
    }
    if (!m || m.status !== 'pending') return;
    if (m.channel === 'voice') return enqueueCall(m.id, 0);
    // STOP is respected; the operator still tells them what matters about their order
    if (m.recipientRole === 'resident' && m.optedOut && m.kind !== 'opt_out_confirmation') return markUnreachable(deps.db, m.id, { code: 21610 });
    // an earlier reply to the same person is still on its way: this one goes right after it
    if (m.inReplyToId && m.createdAt) {
      // soon while it is fresh; a reply held back longer (its predecessor's job was lost, the sweep
      // will queue it again) looks less often
      const waited = Date.now() - m.createdAt.getTime();
      await job.moveToDelayed(Date.now() + Math.min(Math.max(REPLY_ORDER_DELAY_MS, waited / 10), 5_000), token);
      throw new DelayedError();
    }
  }

  async function onSendError(job: Job<SendJob>, messageId: string, err: unknown, channel: 'sms' | 'voice'): Promise<void> {
    const failure = classifySendError(err);
    if (failure.kind === 'retry') {
      await deps.db.message.updateMany({ where: { id: messageId, status: 'sending' }, data: { status: 'pending', errorCode: failure.code ?? undefined } });
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ messageId, code: failure.code, attempt: job.attemptsMade + 1, last }, `${channel} send failed for now`);
      if (last) return markUnreachable(deps.db, messageId, { code: failure.code });
      throw err instanceof Error ? err : new Error(String(err));
    }
    log.warn({ messageId, code: failure.code, failure: failure.kind }, `${channel} send refused`);
    if (failure.kind === 'landline' && channel === 'sms') {
      // not a mobile: mark the line and tell them by a short call instead
      const m = await deps.db.message.update({ where: { id: messageId }, data: { channel: 'voice', status: 'pending', errorCode: failure.code } });
      if (m.customerId) await markLineType(deps.db, { customerId: m.customerId, phone: m.toPhone }, 'landline');
      return void (await enqueueCall(messageId, 0));
    }
    if (failure.kind === 'invalid_number') {
      const m = await deps.db.message.findUnique({ where: { id: messageId } });
      if (m?.customerId) await markLineType(deps.db, { customerId: m.customerId, phone: m.toPhone }, 'unknown');
    }
    await markUnreachable(deps.db, messageId, { code: failure.code, optedOut: failure.kind === 'opted_out' });
  }

  async function placeCall(job: Job<SendJob>): Promise<void> {
    const m = await deps.db.message.findUnique({ where: { id: job.data.messageId }, include: { group: { include: { numbers: { take: 1, orderBy: { createdAt: 'asc' } } } } } });
    if (!m || m.status !== 'pending' || m.channel !== 'voice') return;
    const from = m.group.numbers[0]?.phone;
    if (!from) return markUnreachable(deps.db, m.id, { code: null });
    const claimed = await deps.db.message.updateMany({ where: { id: m.id, status: 'pending' }, data: { status: 'sending', attempts: { increment: 1 } } });
    if (claimed.count === 0) return;
    try {
      const call = await deps.twilio.calls.create({
        to: m.toPhone,
        from,
        twiml: noticeCallTwiml({ groupName: m.group.name, text: m.body, voice: m.group.voiceName, language: m.group.voiceLanguage, replayUrl: `${deps.publicBaseUrl}/twilio/voice/notice?messageId=${m.id}` }),
        statusCallback: `${deps.publicBaseUrl}/twilio/voice/notice-status?messageId=${m.id}`,
        statusCallbackEvent: ['completed'],
        timeout: 30,
      });
      await deps.db.message.updateMany({ where: { id: m.id, status: 'sending' }, data: { status: 'queued', twilioSid: call.sid } });
    } catch (err) {
      await onSendError(job, m.id, err, 'voice');
    }
  }

  function startWorker(name: string, process: (job: Job<SendJob>, q: Queue<SendJob>, token?: string) => Promise<void>, rate: boolean): void {
    if (workers.has(name)) return;
    const q = queue(name);
    const worker = new Worker<SendJob>(name, (job, token) => process(job, q, token), {
      connection,
      prefix: deps.prefix,
      concurrency: settings.concurrency,
      ...(rate && intervalMs > 0 ? { limiter: { max: 1, duration: Math.round(intervalMs) } } : {}),
    });
    worker.on('error', (err) => log.error({ err, queue: name }, 'sender worker error'));
    workers.set(name, worker);
  }

  async function enqueueCall(messageId: string, delayMs: number): Promise<void> {
    startWorker(CALLS_QUEUE, placeCall, false);
    // a retried call is a new job: the first one's id is taken
    const jobId = delayMs > 0 ? `${messageId}-retry` : messageId;
    await queue(CALLS_QUEUE).add('call', { messageId }, { jobId, delay: delayMs, priority: PRIORITY.notice });
  }

  return {
    settings,
    /** Queues a pending message on its sender's queue (jobId = message id: queued twice, sent once). */
    async enqueue(m: { id: string; channel: 'sms' | 'voice'; fromPhone: string; priority: number }): Promise<void> {
      if (m.channel === 'voice') return enqueueCall(m.id, 0);
      const name = smsQueueName(m.fromPhone);
      startWorker(name, sendSms, true);
      await queue(name).add('sms', { messageId: m.id }, { jobId: m.id, priority: m.priority });
    },
    /** Queues again a message left pending (the sweep): a job that gave up on it (failed) is tried again. */
    async requeue(m: { id: string; channel: 'sms' | 'voice'; fromPhone: string; priority: number }): Promise<void> {
      if (m.channel === 'voice') return enqueueCall(m.id, 0);
      const name = smsQueueName(m.fromPhone);
      startWorker(name, sendSms, true);
      // a kept failed job holds the id: adding again would do nothing
      const existing = await queue(name).getJob(m.id);
      if (existing && (await existing.isFailed())) return existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      await queue(name).add('sms', { messageId: m.id }, { jobId: m.id, priority: m.priority });
    },
    /** An unanswered notice call, tried again later. */
    retryCall: (messageId: string) => enqueueCall(messageId, settings.callRetryDelayMs),
    /** Starts the workers of known senders, so jobs left from before a restart are sent. */
    resume(senders: string[]): void {
      for (const s of senders) startWorker(smsQueueName(s), sendSms, true);
      startWorker(CALLS_QUEUE, placeCall, false);
    },
    /** Stops taking jobs and waits for the active ones, up to `timeoutMs`; then lets them go back. */
    async close(timeoutMs: number): Promise<void> {
      const all = [...workers.values()];
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const result = await Promise.race([Promise.all(all.map((w) => w.close())).then(() => 'closed' as const), timedOut]);
      clearTimeout(timer);
      // forced: active jobs keep their lock until it expires, then another worker takes them
      if (result === 'timeout') await Promise.all(all.map((w) => w.close(true)));
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

export type SenderPool = ReturnType<typeof createSenderPool>;
