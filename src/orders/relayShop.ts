// At the relay shop on pickup day: a basket is collected (and often paid at once), or paid later.
import type { Tx } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import { auditStaff, type Actor } from './actor.js';
import { OrderStateError } from './errors.js';
import { canMove } from './status.js';

export interface OrderRef {
  groupId: string;
  orderId: string;
}

async function load(tx: Tx, ref: OrderRef) {
  const order = await tx.order.findFirst({ where: { id: ref.orderId, groupId: ref.groupId } });
  if (!order) throw new NotFoundError('order', { orderId: ref.orderId });
  return order;
}

/** The resident took their basket: only an order still to hand over (confirmed or ready). */
export async function markCollected(tx: Tx, ref: OrderRef, opts: { paid: boolean }, actor: Actor, now: Date) {
  const order = await load(tx, ref);
  if (!canMove(order.status, 'collected')) throw new OrderStateError(order.id, order.status, 'collected');
  const moved = await tx.order.updateMany({
    where: { id: order.id, status: order.status },
    data: { status: 'collected', collectedAt: now, ...(opts.paid && !order.paidAt ? { paidAt: now } : {}) },
  });
  if (moved.count === 0) throw new OrderStateError(order.id, order.status, 'collected');
  await auditStaff(tx, actor, { groupId: order.groupId, action: opts.paid ? 'order.collected_paid' : 'order.collected', entityType: 'Order', entityId: order.id });
  return order;
}

/** Paid: any placed order (collected, delivered or still to collect), once; never a cancelled one or a draft. */
export async function markPaid(tx: Tx, ref: OrderRef, actor: Actor, now: Date) {
  const order = await load(tx, ref);
  if (order.status === 'cancelled' || order.status === 'draft') throw new OrderStateError(order.id, order.status, 'paid');
  if (order.paidAt) return order;
  await tx.order.update({ where: { id: order.id }, data: { paidAt: now } });
  await auditStaff(tx, actor, { groupId: order.groupId, action: 'order.paid', entityType: 'Order', entityId: order.id });
  return order;
}
