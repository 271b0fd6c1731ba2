import { DateTime } from 'luxon';
import type { Db, Tx } from '../platform/db/client.js';
import { windowState } from './window.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';

/** "2026-12-04 16:00" in the group's time zone → a UTC instant. */
export function parseLocalTime(text: string, timeZone: string): Date {
  const dt = DateTime.fromFormat(text.trim(), 'yyyy-MM-dd HH:mm', { zone: timeZone });
  if (!dt.isValid) throw new ValidationError(`"${text}" is not a date and time like 2026-12-04 16:00`, { text }, 'invalid_time');
  return dt.toJSDate();
}

export function formatLocalTime(date: Date, timeZone: string): string {
  return DateTime.fromJSDate(date, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm');
}

export interface DistributionTimes {
  pickupStart: Date;
  pickupEnd: Date;
  opensAt: Date;
  closesAt: Date;
  deliveryStart?: Date;
  deliveryEnd?: Date;
}

/** What is wrong with a distribution's times, if anything. Pure. */
export function distributionTimeProblems(t: DistributionTimes): string[] {
  const problems: string[] = [];
  if (t.opensAt >= t.closesAt) problems.push('orders must open before they close');
  if (t.closesAt > t.pickupStart) problems.push('orders must close before the pickup starts');
  if (t.pickupStart >= t.pickupEnd) problems.push('the pickup must start before it ends');
  if ((t.deliveryStart === undefined) !== (t.deliveryEnd === undefined)) problems.push('a delivery window needs a start and an end');
  if (t.deliveryStart && t.deliveryEnd && t.deliveryStart >= t.deliveryEnd) problems.push('the delivery window must start before it ends');
  return problems;
}

/** A relay point of the group by its name (the CLI names it). */
export async function findRelayPoint(db: Db | Tx, groupId: string, name: string) {
  const relay = await db.relayPoint.findUnique({ where: { groupId_name: { groupId, name } } });
  if (!relay) throw new NotFoundError(`relay point "${name}"`);
  return relay;
}

/** The distribution to order for: open now, else the next to open. */
export async function nextDistribution(db: Db, groupId: string, now = new Date()) {
  return db.distribution.findFirst({
    where: { groupId, status: 'scheduled', closesAt: { gt: now } },
    orderBy: { closesAt: 'asc' },
    include: { relayPoint: true },
  });
}

/** Upcoming distributions by the opening of their window; the id settles ties, so every reader agrees. */
export const DISTRIBUTION_ORDER = [{ opensAt: 'asc' }, { id: 'asc' }] as const;

/**
 * The distribution taking orders now (if any) and the next one to come, with their relay points:
 * what the SMS and voice channels tell a resident.
 */
export async function openAndNextDistribution(db: Db | Tx, groupId: string, now: Date) {
  const list = await db.distribution.findMany({
    where: { groupId, status: 'scheduled', closesAt: { gt: now } },
    orderBy: [...DISTRIBUTION_ORDER],
    include: { relayPoint: true },
    take: 3,
  });
  return { open: list.find((d) => windowState(d, now) === 'open') ?? null, next: list[0] ?? null };
}
