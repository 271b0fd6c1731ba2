// What happens on its own with time, checked every minute by a BullMQ job scheduler: distributions
// close at closesAt (the delivery lead gets the digest), reminders go out, "votre panier est prêt"
// on pickup day, couriers who did not accept are reported; and nothing stays stuck.
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { SYSTEM } from '../orders/actor.js';
import { closeDistribution } from '../orders/distributionLifecycle.js';
import { recordEvent } from '../orders/events.js';
import { PRIORITY, type SenderPool } from './sender.js';
import { markUnknownOutcome } from './unreachable.js';

export type DueNotice = 'close' | 'open_reminder' | 'last_day_reminder' | 'ready';

export interface SweptDistribution {
  status: string;
  opensAt: Date;
  closesAt: Date;
  pickupStart: Date;
  pickupEnd: Date;
  openReminderAt: Date | null;
  lastDayReminderAt: Date | null;
  readyNoticeAt: Date | null;
}

const HOUR = 3600_000;

/** What is due for a distribution at `now`, reading days and hours in the group's time zone. Pure. */
export function dueNotices(d: SweptDistribution, now: Date, timeZone: string): DueNotice[] {
  const due: DueNotice[] = [];
  const t = now.getTime();
  const scheduled = d.status === 'scheduled';
  const windowOpen = scheduled && t >= d.opensAt.getTime() && t < d.closesAt.getTime();
  if (scheduled && t >= d.closesAt.getTime()) due.push('close');
  // a reminder more than 12 hours late is no longer news
  if (windowOpen && !d.openReminderAt && t - d.opensAt.getTime() < 12 * HOUR) due.push('open_reminder');
  // "dernier jour": at 9:00 on the closing day, or 6 hours before closing when it closes early
  let lastDayAt = DateTime.fromJSDate(d.closesAt, { zone: timeZone }).startOf('day').plus({ hours: 9 }).toMillis();
  if (lastDayAt > d.closesAt.getTime() - HOUR) lastDayAt = d.closesAt.getTime() - 6 * HOUR;
  const longWindow = d.closesAt.getTime() - d.opensAt.getTime() > 24 * HOUR;
  if (windowOpen && longWindow && !d.lastDayReminderAt && t >= lastDayAt) due.push('last_day_reminder');
  // "votre panier est prêt": at 8:00 on pickup day, or 2 hours before an early pickup
  let readyAt = DateTime.fromJSDate(d.pickupStart, { zone: timeZone }).startOf('day').plus({ hours: 8 }).toMillis();
  if (readyAt > d.pickupStart.getTime()) readyAt = d.pickupStart.getTime() - 2 * HOUR;
  if ((scheduled || d.status === 'closed') && !d.readyNoticeAt && t >= readyAt && t < d.pickupEnd.getTime()) due.push('ready');
  return due;
}

export interface SweepSettings {
  /** a courier who has not answered OK this long after assignment is reported to the lead */
  acceptWithinMs: number;
  /** a pending message older than this has lost its job (Redis lost it): queued again */
  stalePendingMs: number;
  /** an outbox event published this long ago and still not handled is published again */
  staleEventMs: number;
}

export const DEFAULT_SWEEP_SETTINGS: SweepSettings = { acceptWithinMs: 2 * HOUR, stalePendingMs: 2 * 60_000, staleEventMs: 5 * 60_000 };

/** One pass; every step is a conditional update, so two workers sweeping at once do each thing once. */
export async function sweepOnce(deps: { db: Db; senders: SenderPool; now: Date; settings?: Partial<SweepSettings> }): Promise<Record<string, number>> {
  const { db, now } = deps;
  const s = { ...DEFAULT_SWEEP_SETTINGS, ...deps.settings };
  const counts: Record<string, number> = { closed: 0, reminders: 0, ready: 0, late: 0, requeued: 0, republished: 0, stuck: 0 };
  const distributions = await db.distribution.findMany({
    where: { status: { in: ['scheduled', 'closed'] }, pickupEnd: { gt: new Date(now.getTime() - 24 * HOUR) } },
    include: { group: { select: { timeZone: true } } },
  });
  for (const d of distributions) {
    for (const due of dueNotices(d, now, d.group.timeZone)) {
      await db.$transaction(async (tx) => {
        if (due === 'close') {
          // the same use case as a coordinator's early close: drafts lapse, the lead gets the digest
          const [current] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text FROM "Distribution" WHERE id = ${d.id} FOR NO KEY UPDATE`;
          if (current?.status === 'scheduled') {
            await closeDistribution(tx, { groupId: d.groupId, distributionId: d.id }, SYSTEM, now);
            counts.closed!++;
          }
        } else if (due === 'open_reminder' || due === 'last_day_reminder') {
          const field = due === 'open_reminder' ? 'openReminderAt' : 'lastDayReminderAt';
          const { count } = await tx.distribution.updateMany({ where: { id: d.id, [field]: null }, data: { [field]: now } });
          if (count) {
            await recordEvent(tx, d.groupId, 'distribution.reminder', d.id, { distributionId: d.id, reminder: due === 'open_reminder' ? 'open' : 'last_day' });
            counts.reminders!++;
          }
        } else {
          const { count } = await tx.distribution.updateMany({ where: { id: d.id, readyNoticeAt: null }, data: { readyNoticeAt: now } });
          if (count) {
            await recordEvent(tx, d.groupId, 'distribution.ready', d.id, { distributionId: d.id });
            counts.ready!++;
          }
        }
      });
    }
  }

  const late = await db.delivery.findMany({ where: { status: 'assigned', lateAlertAt: null, assignedAt: { lt: new Date(now.getTime() - s.acceptWithinMs) } }, select: { id: true, groupId: true } });
  for (const d of late) {
    await db.$transaction(async (tx) => {
      const { count } = await tx.delivery.updateMany({ where: { id: d.id, status: 'assigned', lateAlertAt: null }, data: { lateAlertAt: now } });
      if (count) {
        await recordEvent(tx, d.groupId, 'delivery.late', d.id, { deliveryId: d.id });
        counts.late!++;
      }
    });
  }

  // Redis lost its data (a restart without persistence): nothing is lost, it is queued again
  const stalePending = await db.message.findMany({
    where: { direction: 'outbound', status: 'pending', OR: [{ outboxEventId: { not: null } }, { inReplyToId: { not: null } }], updatedAt: { lt: new Date(now.getTime() - s.stalePendingMs) } },
    select: { id: true, channel: true, fromPhone: true, inReplyToId: true }, take: 500,
  });
  for (const m of stalePending) await deps.senders.requeue({ id: m.id, channel: m.channel, fromPhone: m.fromPhone, priority: m.inReplyToId ? PRIORITY.reply : PRIORITY.notice });
  counts.requeued = stalePending.length;
  // an event marked failed is not republished: it is shown, not retried forever
  const republished = await db.outboxEvent.updateMany({ where: { processedAt: null, failedAt: null, publishedAt: { lt: new Date(now.getTime() - s.staleEventMs) } }, data: { publishedAt: null } });
  counts.republished = republished.count;
  // a send cut off mid-request (the process died): we cannot know whether Twilio took it, so we
  // do not send it twice; it is marked `unknown` and a person makes sure its recipient knows
  const stuck = await db.message.findMany({ where: { status: 'sending', twilioSid: null, updatedAt: { lt: new Date(now.getTime() - 10 * 60_000) } }, select: { id: true } });
  for (const m of stuck) await markUnknownOutcome(db, m.id);
  counts.stuck = stuck.length;
  return counts;
}

const SWEEP_QUEUE = 'sweep';

/** More work for the minute tick from another module (privacy retention): its counts are logged. */
export type SweepHook = (now: Date) => Promise<Record<string, number>>;

/** The minute tick, as a BullMQ job scheduler (one tick however many workers run). */
export async function startSweepScheduler(opts: { connection: Redis; workerConnection: Redis; prefix: string; db: Db; senders: SenderPool; log: Logger; everyMs?: number; now?: () => Date; settings?: Partial<SweepSettings>; hooks?: SweepHook[] }) {
  const log = opts.log.child({ module: 'sweep' });
  const queue = new Queue(SWEEP_QUEUE, { connection: opts.connection as ConnectionOptions, prefix: opts.prefix });
  queue.on('error', (err) => log.warn({ err }, 'sweep queue error'));
  const everyMs = opts.everyMs ?? 60_000;
  const upsert = () => queue.upsertJobScheduler('minute', { every: everyMs }, { name: 'sweep', opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } });
  await upsert();
  // a Redis that restarted empty has forgotten the scheduler too: say it again now and then
  const keeper = setInterval(() => void upsert().catch(() => {}), Math.max(everyMs, 5_000) * 2);
  keeper.unref();
  const worker = new Worker(
    SWEEP_QUEUE,
    async () => {
      const now = (opts.now ?? (() => new Date()))();
      const counts = await sweepOnce({ db: opts.db, senders: opts.senders, now, settings: opts.settings });
      for (const hook of opts.hooks ?? []) {
        // one hook failing does not stop the others, nor the next tick
        try {
          Object.assign(counts, await hook(now));
        } catch (err) {
          log.error({ err }, 'sweep hook failed');
        }
      }
      if (Object.values(counts).some((n) => n > 0)) log.info(counts, 'sweep');
    },
    { connection: opts.workerConnection as ConnectionOptions, prefix: opts.prefix, concurrency: 1 },
  );
  worker.on('error', (err) => log.error({ err }, 'sweep worker error'));
  return {
    async close() {
      clearInterval(keeper);
      await worker.close();
      await queue.close();
    },
  };
}
