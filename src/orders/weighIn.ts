// The weigh-in ("pesée") at the relay shop: real weights of variable-weight lines give final
// prices; once every weighed line of an order has its weight, the order has its final total and
// the resident is told ("Montant final : 23,40 €").
import { finalLineCents } from '../catalog/pricing.js';
import type { Tx } from '../platform/db/client.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { writeOutboxEvent } from '../platform/outbox.js';
import { OrderStateError } from './errors.js';

export interface LineWeights {
  lineId: string;
  /** one weight per piece for multi-weigh products, else one total weight, in grams */
  grams: number[];
}

/** Records real weights; returns the order's final total once every weighed line is weighed. */
export async function recordWeighIn(tx: Tx, orderId: string, weights: LineWeights[], actor?: { staffId: string }): Promise<{ finalCents: number | null }> {
  const order = await tx.order.findUnique({ where: { id: orderId }, include: { lines: { include: { product: true } } } });
  if (!order) throw new NotFoundError('order', { orderId });
  if (!['confirmed', 'ready', 'collected', 'delivered'].includes(order.status)) throw new OrderStateError(orderId, order.status, 'weighed');
  const finals = new Map(order.lines.map((l) => [l.id, l.finalCents]));
  for (const w of weights) {
    const line = order.lines.find((l) => l.id === w.lineId);
    if (!line) throw new ValidationError('this line is not part of the order', { lineId: w.lineId });
    if (!line.variableWeight) throw new ValidationError('this line is not sold by weight', { lineId: w.lineId });
    // the price frozen at order time, the product's weighing mode
    const priced = { ...line.product, unit: line.unit, priceCents: line.unitPriceCents, variableWeight: true };
    let cents: number;
    try {
      cents = finalLineCents(priced, { quantity: line.quantity, requestedGrams: line.estimatedGrams }, w.grams);
    } catch (err) {
      if (err instanceof RangeError) throw new ValidationError(err.message, { lineId: w.lineId });
      throw err;
    }
    await tx.orderLine.update({ where: { id: line.id }, data: { realWeightsGrams: w.grams, finalCents: cents } });
    finals.set(line.id, cents);
  }
  if (actor) {
    await tx.auditEvent.create({ data: { groupId: order.groupId, actorId: actor.staffId, actorKind: 'staff', action: 'order.weighed', entityType: 'Order', entityId: orderId } });
  }
  const complete = order.lines.every((l) => !l.variableWeight || finals.get(l.id) !== null);
  if (!complete) return { finalCents: null };
  const finalCents = order.lines.reduce((sum, l) => sum + (l.variableWeight ? finals.get(l.id)! : l.estimatedCents), 0);
  if (finalCents !== order.finalCents) {
    await tx.order.update({ where: { id: orderId }, data: { finalCents } });
    await writeOutboxEvent(tx, { groupId: order.groupId, type: 'order.finalized', aggregateType: 'Order', aggregateId: orderId, payload: { orderId } });
  }
  return { finalCents };
}
