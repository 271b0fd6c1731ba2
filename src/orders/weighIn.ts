// The weigh-in ("pesée") at the relay shop: real weights of variable-weight lines give final
// prices. Impossible weights are refused; unusual ones (far from what was ordered) need the
// operator's confirmation. The resident is told the final amount once per order, when the order is
// fully weighed (or the distribution's weigh-in is closed); a later change sends one correction.
import { finalLineCents } from '../catalog/pricing.js';
import type { Tx } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { auditStaff, type Actor } from './actor.js';
import { DistributionStateError } from './distributionLifecycle.js';
import { recordEvent } from './events.js';
import { OrderStateError } from './errors.js';
import { isPlaced, PLACED_STATUSES } from './status.js';

export interface LineWeights {
  lineId: string;
  /** one weight per piece for multi-weigh products, else one total weight, in grams */
  grams: number[];
}

/** No piece or line of a village basket weighs more (a whole ham, a sack of potatoes). */
export const MAX_WEIGHT_GRAMS = 50_000;
/** Beyond a fifth or five times what was ordered, a weight is checked twice. */
export const PLAUSIBLE_RATIO = 5;

export type WeightVerdict = { ok: true } | { ok: false; code: 'weight_out_of_range' } | { ok: false; code: 'weight_implausible'; grams: number; expectedGrams: number };

/** Is this weight possible, and plausible against what was expected? Pure. */
export function judgeWeight(grams: number, expectedGrams: number | null): WeightVerdict {
  if (!Number.isSafeInteger(grams) || grams <= 0 || grams > MAX_WEIGHT_GRAMS) return { ok: false, code: 'weight_out_of_range' };
  if (expectedGrams && expectedGrams > 0 && (grams * PLAUSIBLE_RATIO < expectedGrams || grams > expectedGrams * PLAUSIBLE_RATIO)) {
    return { ok: false, code: 'weight_implausible', grams, expectedGrams };
  }
  return { ok: true };
}

export interface WeighInOptions {
  /** the operator saw the "poids inhabituel" screen and confirmed */
  confirmUnusual?: boolean;
}

/** Sets the order's final total and, when it changed, announces it (a correction if one was sent). */
async function finalize(tx: Tx, order: { id: string; groupId: string; finalCents: number | null }, finalCents: number): Promise<boolean> {
  if (finalCents === order.finalCents) return false;
  await tx.order.update({ where: { id: order.id }, data: { finalCents } });
  await recordEvent(tx, order.groupId, 'order.finalized', order.id, { orderId: order.id, finalCents, correction: order.finalCents !== null });
  return true;
}

/** Records real weights; returns the order's final total once every weighed line is weighed. */
export async function recordWeighIn(tx: Tx, orderId: string, weights: LineWeights[], actor: Actor, opts: WeighInOptions = {}): Promise<{ finalCents: number | null }> {
  const order = await tx.order.findUnique({ where: { id: orderId }, include: { lines: { include: { product: true } }, distribution: { select: { weighInClosedAt: true } } } });
  if (!order) throw new NotFoundError('order', { orderId });
  if (!isPlaced(order.status)) throw new OrderStateError(orderId, order.status, 'weighed');
  const finals = new Map(order.lines.map((l) => [l.id, l.finalCents]));
  for (const w of weights) {
    const line = order.lines.find((l) => l.id === w.lineId);
    if (!line) throw new AppError('this line is not part of the order', 'line_not_in_order', 400, { lineId: w.lineId });
    if (!line.variableWeight) throw new AppError('this line is not sold by weight', 'not_sold_by_weight', 400, { lineId: w.lineId });
    const pieces = line.product.multiWeigh ? line.quantity : 1;
    if (w.grams.length !== pieces) throw new AppError(`${pieces} weights expected`, 'weight_pieces_mismatch', 400, { lineId: w.lineId, pieces });
    const expectedEach = line.estimatedGrams ? Math.round(line.estimatedGrams / pieces) : null;
    for (const g of w.grams) {
      const verdict = judgeWeight(g, expectedEach);
      const where = { lineId: w.lineId, product: line.productName, basket: order.basketNumber };
      if (!verdict.ok && verdict.code === 'weight_out_of_range') throw new AppError(`weight ${g} g out of range`, 'weight_out_of_range', 400, { ...where, maxKg: MAX_WEIGHT_GRAMS / 1000 });
      if (!verdict.ok && verdict.code === 'weight_implausible' && !opts.confirmUnusual) {
        throw new AppError(`weight ${g} g far from ${verdict.expectedGrams} g`, 'weight_implausible', 400, { ...where, grams: g, expectedGrams: verdict.expectedGrams });
      }
    }
    // the price frozen at order time, the product's weighing mode
    const priced = { ...line.product, unit: line.unit, priceCents: line.unitPriceCents, variableWeight: true };
    const cents = finalLineCents(priced, { quantity: line.quantity, requestedGrams: line.estimatedGrams }, w.grams);
    await tx.orderLine.update({ where: { id: line.id }, data: { realWeightsGrams: w.grams, finalCents: cents } });
    finals.set(line.id, cents);
  }
  await auditStaff(tx, actor, { groupId: order.groupId, action: 'order.weighed', entityType: 'Order', entityId: orderId });
  const complete = order.lines.every((l) => !l.variableWeight || finals.get(l.id) !== null);
  // after the weigh-in is closed, an unweighed line counts at its estimate (as closing did)
  if (!complete && !order.distribution.weighInClosedAt) return { finalCents: null };
  const finalCents = order.lines.reduce((sum, l) => sum + (l.variableWeight ? (finals.get(l.id) ?? l.estimatedCents) : l.estimatedCents), 0);
  await finalize(tx, order, finalCents);
  return { finalCents };
}

/**
 * The weigh-in of a distribution is over: every placed order still missing a weight gets its final
 * price with the estimate for the unweighed lines, and is told once.
 */
export async function closeWeighIn(tx: Tx, ref: { groupId: string; distributionId: string }, actor: Actor, now: Date): Promise<{ finalized: number }> {
  const d = await tx.distribution.findFirst({ where: { id: ref.distributionId, groupId: ref.groupId } });
  if (!d) throw new NotFoundError('distribution', ref);
  if (d.status === 'cancelled') throw new DistributionStateError(d.id, d.status, 'weigh-in closed');
  const moved = await tx.distribution.updateMany({ where: { id: d.id, weighInClosedAt: null }, data: { weighInClosedAt: now } });
  if (moved.count === 0) return { finalized: 0 };
  const orders = await tx.order.findMany({
    where: { distributionId: d.id, status: { in: [...PLACED_STATUSES] }, finalCents: null, lines: { some: { variableWeight: true } } },
    include: { lines: true },
  });
  let finalized = 0;
  for (const o of orders) {
    const finalCents = o.lines.reduce((sum, l) => sum + (l.variableWeight ? (l.finalCents ?? l.estimatedCents) : l.estimatedCents), 0);
    if (await finalize(tx, o, finalCents)) finalized++;
  }
  await auditStaff(tx, actor, { groupId: d.groupId, action: 'distribution.weigh_in_closed', entityType: 'Distribution', entityId: d.id, data: { finalized } });
  return { finalized };
}
