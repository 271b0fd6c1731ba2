// A distribution's life after it is created: orders close (at closesAt by the sweep, or early by a
// coordinator), it is done, or it is cancelled. Each is one use case for every door, so closing
// always sends the delivery lead's digest and cancelling always tells the residents.
import { distributionTimeProblems, type DistributionTimes } from '../catalog/distributions.js';
import type { Tx } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { auditStaff, type Actor } from './actor.js';
import { recordEvent } from './events.js';
import { ACTIVE_STATUSES } from './status.js';

type DistributionStatus = 'scheduled' | 'closed' | 'done' | 'cancelled';

interface LockedDistribution {
  id: string;
  groupId: string;
  status: DistributionStatus;
}

export class DistributionStateError extends AppError {
  constructor(distributionId: string, from: string, to: string) {
    super(`distribution ${distributionId} cannot go from ${from} to ${to}`, 'invalid_distribution_state', 409, { distributionId, from, to });
  }
}

/** The distribution's row, locked like an order confirmation locks it: no order slips in meanwhile. */
async function lock(tx: Tx, groupId: string, distributionId: string): Promise<LockedDistribution> {
  const [d] = await tx.$queryRaw<LockedDistribution[]>`
    SELECT id, "groupId", status::text AS status FROM "Distribution"
    WHERE id = ${distributionId} AND "groupId" = ${groupId} FOR NO KEY UPDATE`;
  if (!d) throw new NotFoundError('distribution', { distributionId });
  return d;
}

/** What residents are offered changed: every process drops the group's cached catalogue. */
function catalogChanged(tx: Tx, groupId: string): Promise<string> {
  return recordEvent(tx, groupId, 'catalog.changed', groupId, { what: 'distributions' });
}

/** Drafts awaiting a resident's OUI lapse when orders close: they never become orders. */
async function lapseDrafts(tx: Tx, distributionId: string, now: Date): Promise<number> {
  const { count } = await tx.order.updateMany({ where: { distributionId, status: 'draft' }, data: { status: 'cancelled', cancelledAt: now } });
  return count;
}

export interface DistributionRef {
  groupId: string;
  distributionId: string;
}

/**
 * Orders close: from `scheduled` only. Drafts lapse; the delivery lead gets the digest (through
 * the `distribution.closed` event). Closing early moves `closesAt` to now, so every reader of the
 * window agrees.
 */
export async function closeDistribution(tx: Tx, ref: DistributionRef, actor: Actor, now: Date): Promise<void> {
  const d = await lock(tx, ref.groupId, ref.distributionId);
  if (d.status !== 'scheduled') throw new DistributionStateError(d.id, d.status, 'closed');
  await tx.$executeRaw`
    UPDATE "Distribution" SET status = 'closed', "closedAt" = ${now}, "closesAt" = LEAST("closesAt", ${now})
    WHERE id = ${d.id}`;
  const lapsed = await lapseDrafts(tx, d.id, now);
  await recordEvent(tx, d.groupId, 'distribution.closed', d.id, { distributionId: d.id });
  await catalogChanged(tx, d.groupId);
  await auditStaff(tx, actor, { groupId: d.groupId, action: 'distribution.closed', entityType: 'Distribution', entityId: d.id, data: { lapsedDrafts: lapsed } });
}

/** The pickup happened: from `scheduled` or `closed`. Drafts lapse. */
export async function markDistributionDone(tx: Tx, ref: DistributionRef, actor: Actor, now: Date): Promise<void> {
  const d = await lock(tx, ref.groupId, ref.distributionId);
  if (d.status !== 'scheduled' && d.status !== 'closed') throw new DistributionStateError(d.id, d.status, 'done');
  await tx.distribution.update({ where: { id: d.id }, data: { status: 'done', ...(d.status === 'scheduled' ? { closedAt: now } : {}) } });
  await lapseDrafts(tx, d.id, now);
  await catalogChanged(tx, d.groupId);
  await auditStaff(tx, actor, { groupId: d.groupId, action: 'distribution.done', entityType: 'Distribution', entityId: d.id });
}

/**
 * The distribution will not take place: from `scheduled` or `closed`. Its orders are cancelled,
 * their stock released, their deliveries called off; every resident who had an order (and their
 * carer), the delivery lead and any assigned courier are told (the `distribution.cancelled` event).
 */
export async function cancelDistribution(tx: Tx, ref: DistributionRef, actor: Actor, now: Date): Promise<{ cancelledOrders: number }> {
  const d = await lock(tx, ref.groupId, ref.distributionId);
  if (d.status !== 'scheduled' && d.status !== 'closed') throw new DistributionStateError(d.id, d.status, 'cancelled');
  const active = await tx.order.findMany({ where: { distributionId: d.id, status: { in: [...ACTIVE_STATUSES] } }, select: { id: true } });
  const orderIds = active.map((o) => o.id);
  await tx.distribution.update({ where: { id: d.id }, data: { status: 'cancelled', ...(d.status === 'scheduled' ? { closedAt: now } : {}) } });
  await tx.order.updateMany({ where: { id: { in: orderIds } }, data: { status: 'cancelled', cancelledAt: now } });
  // the delivery rows keep who was assigned, so the courier can be told not to go
  await tx.delivery.updateMany({ where: { orderId: { in: orderIds }, status: { in: ['requested', 'assigned', 'accepted'] } }, data: { status: 'cancelled' } });
  // nothing is reserved any more at a cancelled distribution
  await tx.distributionStock.updateMany({ where: { distributionId: d.id }, data: { reserved: 0 } });
  await lapseDrafts(tx, d.id, now);
  await recordEvent(tx, d.groupId, 'distribution.cancelled', d.id, { distributionId: d.id, orderIds });
  await catalogChanged(tx, d.groupId);
  await auditStaff(tx, actor, { groupId: d.groupId, action: 'distribution.cancelled', entityType: 'Distribution', entityId: d.id, data: { cancelledOrders: orderIds.length } });
  return { cancelledOrders: orderIds.length };
}

export interface NewDistribution extends DistributionTimes {
  groupId: string;
  relayPointId: string;
}

function checkTimes(times: DistributionTimes): void {
  const problems = distributionTimeProblems(times);
  if (problems.length > 0) throw new AppError(problems.join('; '), 'invalid_distribution_times', 400, { problems });
}

/** A new pickup day at a relay point of the group, its times checked. CLI and console alike. */
export async function createDistribution(tx: Tx, input: NewDistribution, actor: Actor) {
  checkTimes(input);
  const relay = await tx.relayPoint.findFirst({ where: { id: input.relayPointId, groupId: input.groupId } });
  if (!relay) throw new NotFoundError('relay point', { relayPointId: input.relayPointId });
  const { groupId, relayPointId, ...times } = input;
  const created = await tx.distribution.create({ data: { groupId, relayPointId, ...times, deliveryStart: times.deliveryStart ?? null, deliveryEnd: times.deliveryEnd ?? null } });
  await catalogChanged(tx, groupId);
  await auditStaff(tx, actor, { groupId, action: 'distribution.created', entityType: 'Distribution', entityId: created.id });
  return created;
}

/** New times for a distribution still scheduled (its orders not closed yet). */
export async function rescheduleDistribution(tx: Tx, ref: DistributionRef, input: DistributionTimes & { relayPointId: string }, actor: Actor): Promise<void> {
  checkTimes(input);
  const d = await lock(tx, ref.groupId, ref.distributionId);
  if (d.status !== 'scheduled') throw new DistributionStateError(d.id, d.status, 'rescheduled');
  const relay = await tx.relayPoint.findFirst({ where: { id: input.relayPointId, groupId: ref.groupId } });
  if (!relay) throw new NotFoundError('relay point', { relayPointId: input.relayPointId });
  await tx.distribution.update({ where: { id: d.id }, data: { ...input, deliveryStart: input.deliveryStart ?? null, deliveryEnd: input.deliveryEnd ?? null } });
  await catalogChanged(tx, ref.groupId);
  await auditStaff(tx, actor, { groupId: ref.groupId, action: 'distribution.rescheduled', entityType: 'Distribution', entityId: d.id });
}
