// Home deliveries after they are asked for: who delivers, accepted, delivered, failed. One service
// for the delivery lead's SMS and the console's register, so both follow the same rules.
import type { Tx } from '../platform/db/client.js';
import { recordEvent } from './events.js';
import { ACTIVE_STATUSES } from './status.js';

/** Deliveries still to do: the lead and couriers act on these. */
const OPEN_DELIVERY = ['requested', 'assigned', 'accepted'] as const;

export type DeliveryRef = Awaited<ReturnType<typeof findDeliveryByBasket>>;

/**
 * The delivery of basket `basket` the lead or a courier means: of the distributions not yet done,
 * the soonest pickup first (basket numbers restart at each distribution).
 */
export async function findDeliveryByBasket(tx: Tx, groupId: string, basket: number, now: Date) {
  return tx.delivery.findFirst({
    where: {
      groupId,
      order: { basketNumber: basket, distribution: { status: { in: ['scheduled', 'closed'] }, pickupEnd: { gt: new Date(now.getTime() - 24 * 3600_000) } } },
    },
    orderBy: { order: { distribution: { pickupStart: 'asc' } } },
    include: { courier: true, order: { select: { id: true, basketNumber: true, status: true, customerId: true, distributionId: true } } },
  });
}

export function isOpenDelivery(status: string): boolean {
  return (OPEN_DELIVERY as readonly string[]).includes(status);
}

export type AssignOutcome = 'assigned' | 'unchanged' | 'finished';

/** Gives a delivery to a courier (or to another one); the courier and the resident are told. */
export async function assignCourier(tx: Tx, deliveryId: string, courierId: string, now: Date, actor?: { staffId: string }): Promise<AssignOutcome> {
  const d = await tx.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
  if (!isOpenDelivery(d.status)) return 'finished';
  if (d.courierId === courierId) return 'unchanged';
  await tx.delivery.update({
    where: { id: deliveryId },
    data: { courierId, status: 'assigned', assignedAt: now, acceptedAt: null, lateAlertAt: null },
  });
  await recordEvent(tx, d.groupId, 'delivery.assigned', deliveryId, { deliveryId, courierId, previousCourierId: d.courierId });
  if (actor) {
    await tx.auditEvent.create({
      data: { groupId: d.groupId, actorId: actor.staffId, actorKind: 'staff', action: 'delivery.assigned', entityType: 'Delivery', entityId: deliveryId, data: { courierId } },
    });
  }
  return 'assigned';
}

/** "OK 12": the courier takes it. */
export async function acceptDelivery(tx: Tx, deliveryId: string, now: Date): Promise<void> {
  await tx.delivery.updateMany({ where: { id: deliveryId, status: 'assigned' }, data: { status: 'accepted', acceptedAt: now } });
}

/** "LIVRE 12": delivered; the order is done and the resident told. Idempotent. */
export async function markDelivered(tx: Tx, deliveryId: string, now: Date): Promise<boolean> {
  const moved = await tx.delivery.updateMany({ where: { id: deliveryId, status: { in: [...OPEN_DELIVERY] } }, data: { status: 'delivered', deliveredAt: now } });
  if (moved.count === 0) return false;
  const d = await tx.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
  await tx.order.updateMany({ where: { id: d.orderId, status: { in: [...ACTIVE_STATUSES] } }, data: { status: 'delivered' } });
  await recordEvent(tx, d.groupId, 'delivery.delivered', deliveryId, { deliveryId });
  return true;
}

/** "ECHEC 12 absent": the operator gets a task to call the resident, the lead is told. Idempotent. */
export async function markFailed(tx: Tx, deliveryId: string, reason: string, now: Date): Promise<boolean> {
  const moved = await tx.delivery.updateMany({ where: { id: deliveryId, status: { in: [...OPEN_DELIVERY] } }, data: { status: 'failed', failedAt: now, failureReason: reason } });
  if (moved.count === 0) return false;
  const d = await tx.delivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { order: { include: { customer: { select: { phone: true } } } } } });
  await tx.callTask.create({
    data: { groupId: d.groupId, kind: 'failed_delivery', callerPhone: d.order.customer.phone, customerId: d.order.customerId, orderId: d.orderId, note: `Livraison échouée: ${reason}` },
  });
  await recordEvent(tx, d.groupId, 'delivery.failed', deliveryId, { deliveryId });
  return true;
}
