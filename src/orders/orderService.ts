import { estimateLine, type PricedProduct } from '../catalog/pricing.js';
import { windowState } from '../catalog/window.js';
import type { Db, Tx } from '../platform/db/client.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { recordEvent } from './events.js';
import { OrderStateError, OrderWindowClosedError, OutOfStockError, ProductUnavailableError } from './errors.js';
import {
  appendLines, dropLines, insertDraft, markCancelled, numberAndConfirm, readForAdding, readForPlacing,
  readOrder, releaseStock, reserveStock, stockLeft,
  type FrozenLine, type LockedOrder, type OrderWindowRow, type ProductForLine, type StockAsked, type StoredLine,
} from './orderStatements.js';
import { canMove, isActive, type OrderStatus } from './status.js';

export type OrderChannel = 'sms' | 'voice' | 'operator';

export interface OrderLineInput {
  productId: string;
  quantity: number;
  requestedGrams?: number | null;
}

export interface PlaceOrderInput {
  groupId: string;
  customerId: string;
  distributionId: string;
  channel: OrderChannel;
  lines: OrderLineInput[];
  fulfilment?: 'pickup' | 'delivery';
  notes?: string;
  /** staff user who entered the order (operator orders) */
  enteredById?: string;
  /** false: a draft, priced but holding no stock and no basket number (awaiting the resident's OUI) */
  confirm: boolean;
}

export interface PlacedOrder {
  id: string;
  status: OrderStatus;
  basketNumber: number | null;
  estimatedCents: number;
}

/** A confirmation also says what its reply needs: which distribution, and whether the total waits for the scales. */
export interface ConfirmedOrder extends PlacedOrder {
  distributionId: string;
  weighed: boolean;
}

export interface OrderServiceDeps {
  db: Db;
  now?: () => Date;
}

/** Bounds of one line: a village basket, not a wholesale order (and no integer overflow). */
export const MAX_QUANTITY = 50;
export const MAX_REQUESTED_GRAMS = 30_000;

/** Every line a whole, positive, plausible quantity; else a clear error the doors put in French. */
export function checkLines(lines: OrderLineInput[]): void {
  for (const l of lines) {
    if (!Number.isSafeInteger(l.quantity) || l.quantity <= 0 || l.quantity > MAX_QUANTITY) {
      throw new AppError(`quantity ${l.quantity} out of range`, 'quantity_out_of_range', 400, { productId: l.productId, max: MAX_QUANTITY });
    }
    const g = l.requestedGrams;
    if (g !== null && g !== undefined && (!Number.isSafeInteger(g) || g <= 0 || g > MAX_REQUESTED_GRAMS)) {
      throw new AppError(`requested weight ${g} g out of range`, 'quantity_out_of_range', 400, { productId: l.productId, max: MAX_QUANTITY });
    }
  }
}

/** What confirming needs of a line: its quantity, its product's stock and name, whether it is weighed. */
type LineToConfirm = Pick<StoredLine, 'productId' | 'productName' | 'quantity' | 'variableWeight' | 'stockPerDistribution'>;
type OrderToConfirm = Pick<LockedOrder, 'id' | 'groupId' | 'status' | 'channel' | 'distributionId' | 'distribution'> & { lines: LineToConfirm[] };

/** Deliveries not yet on their way: an order cancelled cancels them too. */
const OPEN_DELIVERY_STATUSES = ['requested', 'assigned', 'accepted'] as const;

// Orders of one distribution queue on its row lock: give them time rather than fail at busy hours.
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

/**
 * The one order service used by SMS, voice and the console alike, so every channel follows the
 * same rules: the window, availability, stock, frozen prices, basket numbers, outbox events.
 * Placing, confirming and adding lines read what they judge in one statement and write in one
 * more per step (orderStatements.ts): they run inside every SMS, voice and console order.
 */
export function createOrderService(deps: OrderServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  /** Runs in the caller's transaction when given one (a conversation step), else in a new one. */
  function run<T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : db.$transaction(fn, TX_OPTIONS);
  }

  function assertOpen(distributionId: string, d: OrderWindowRow): void {
    const state = windowState(d, now());
    if (state !== 'open') throw new OrderWindowClosedError(distributionId, state);
  }

  /** Stock of the stocked products reserved, all or none (a refusal names the product and what is left). */
  async function reserveStockFor(tx: Tx, distributionId: string, lines: LineToConfirm[]): Promise<void> {
    const wanted = new Map<string, StockAsked & { productName: string }>();
    for (const l of lines) {
      if (l.stockPerDistribution === null) continue;
      const sum = wanted.get(l.productId);
      if (sum) sum.quantity += l.quantity;
      else wanted.set(l.productId, { productId: l.productId, productName: l.productName, quantity: l.quantity, stockPerDistribution: l.stockPerDistribution });
    }
    if (wanted.size === 0) return;
    const results = await reserveStock(tx, distributionId, [...wanted.values()].map(({ productName: _, ...asked }) => asked));
    const refused = results.find((r) => !r.reserved);
    if (!refused) return;
    // what is left, read afresh: the reservation's own figure may predate another's it waited for
    const left = await stockLeft(tx, distributionId, refused.productId);
    // the caller's transaction (or savepoint) undoes what the other products reserved
    throw new OutOfStockError(refused.productId, wanted.get(refused.productId)!.productName, left ?? refused.remaining);
  }

  /**
   * A draft becomes an order: its event, then the basket number and the stock under the
   * distribution's lock, taken as late as it can be so that confirmations of one distribution wait
   * on each other only briefly. The window is judged before (the usual refusal) and again on the
   * locked row (a close that committed meanwhile wins: the caller's transaction or savepoint undoes the rest).
   */
  async function confirmDraft(tx: Tx, order: OrderToConfirm): Promise<ConfirmedOrder> {
    if (!canMove(order.status, 'confirmed')) throw new OrderStateError(order.id, order.status, 'confirmed');
    assertOpen(order.distributionId, order.distribution);
    await recordEvent(tx, order.groupId, 'order.confirmed', order.id, { orderId: order.id, channel: order.channel });
    const { written, distribution } = await numberAndConfirm(tx, { orderId: order.id, distributionId: order.distributionId, from: order.status, confirmedAt: now() });
    if (distribution) assertOpen(order.distributionId, distribution);
    // confirmed or cancelled by another hand meanwhile
    if (!written) throw new OrderStateError(order.id, order.status, 'confirmed');
    // under the lock: a stock row is held from its reservation to the commit, never longer than the lock
    await reserveStockFor(tx, order.distributionId, order.lines);
    return {
      id: order.id, status: 'confirmed', basketNumber: written.basketNumber, estimatedCents: written.estimatedCents,
      distributionId: order.distributionId, weighed: order.lines.some((l) => l.variableWeight),
    };
  }

  async function confirmInTx(tx: Tx, orderId: string): Promise<ConfirmedOrder> {
    const order = await readOrder(tx, orderId, { lockDistribution: false });
    if (!order) throw new NotFoundError('order', { orderId });
    return confirmDraft(tx, order);
  }

  /** Prices lines from the current catalogue: the price is frozen on the line from now on. */
  function priceLines(products: ProductForLine[], input: OrderLineInput[]): (FrozenLine & { stockPerDistribution: number | null })[] {
    const byId = new Map(products.map((p) => [p.id, p]));
    return input.map((l) => {
      const product = byId.get(l.productId);
      // withdrawn since the resident read it: named, so they are told what is missing
      if (!product || !product.active) throw new ProductUnavailableError(l.productId, product?.name);
      const estimate = estimateLine(product satisfies PricedProduct, l);
      return {
        productId: product.id,
        quantity: l.quantity,
        estimatedGrams: estimate.estimatedGrams,
        productName: product.name,
        unit: product.unit,
        unitPriceCents: product.priceCents,
        vatRateBp: product.vatRateBp,
        variableWeight: product.variableWeight || product.multiWeigh,
        estimatedCents: estimate.estimatedCents,
        stockPerDistribution: product.stockPerDistribution,
      };
    });
  }

  function productIdsOf(lines: OrderLineInput[]): string[] {
    return [...new Set(lines.map((l) => l.productId))];
  }

  async function placeOrder(input: PlaceOrderInput, inTx?: Tx): Promise<PlacedOrder> {
    if (input.lines.length === 0) throw new ValidationError('an order needs at least one line', undefined, 'empty_order');
    checkLines(input.lines);
    return run(inTx, async (tx) => {
      const { distribution, customerFound, products } = await readForPlacing(tx, {
        groupId: input.groupId, customerId: input.customerId, distributionId: input.distributionId, productIds: productIdsOf(input.lines),
      });
      if (!distribution || distribution.groupId !== input.groupId) throw new NotFoundError('distribution', { distributionId: input.distributionId });
      assertOpen(distribution.id, distribution);
      if (!customerFound) throw new NotFoundError('customer', { customerId: input.customerId });

      const priced = priceLines(products, input.lines);
      const lines = priced.map(({ stockPerDistribution: _, ...line }) => line);
      const draft = await insertDraft(tx, {
        groupId: input.groupId, customerId: input.customerId, distributionId: input.distributionId, channel: input.channel,
        fulfilment: input.fulfilment ?? 'pickup', notes: input.notes ?? null, enteredById: input.enteredById ?? null,
        estimatedCents: lines.reduce((sum, l) => sum + l.estimatedCents, 0), lines,
      });
      if (!input.confirm) return { id: draft.id, status: draft.status, basketNumber: null, estimatedCents: draft.estimatedCents };
      return confirmDraft(tx, {
        id: draft.id, groupId: input.groupId, status: draft.status, channel: input.channel,
        distributionId: distribution.id, distribution, lines: priced,
      });
    });
  }

  /**
   * An order for a distribution where the resident may already have a basket: one basket each, so
   * the lines go into the confirmed basket they have there (as an SMS proposes), else a new one is
   * placed and confirmed. `added`: they went into an existing basket.
   */
  function placeOrAdd(input: Omit<PlaceOrderInput, 'confirm'>, inTx?: Tx): Promise<(PlacedOrder & { added: false }) | (PlacedOrder & { added: true; weighed: boolean })> {
    return run(inTx, async (tx) => {
      const [basket] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Order" WHERE "customerId" = ${input.customerId} AND "distributionId" = ${input.distributionId} AND status = 'confirmed'
        ORDER BY "createdAt" LIMIT 1`;
      if (basket) return { ...(await addLines(basket.id, input.lines, tx)), added: true as const };
      return { ...(await placeOrder({ ...input, confirm: true }, tx)), added: false as const };
    });
  }

  /** A draft becomes an order: stock is reserved and a basket number given, atomically. */
  function confirmOrder(orderId: string, inTx?: Tx): Promise<ConfirmedOrder> {
    return run(inTx, (tx) => confirmInTx(tx, orderId));
  }

  /** Lines added to a confirmed order (a resident texting again "et aussi 2 yaourts"); `weighed`: the order now holds goods priced at the scales. */
  function addLines(orderId: string, lines: OrderLineInput[], inTx?: Tx): Promise<PlacedOrder & { weighed: boolean }> {
    checkLines(lines);
    return run(inTx, async (tx) => {
      const order = await readForAdding(tx, orderId, productIdsOf(lines));
      if (!order) throw new NotFoundError('order', { orderId });
      if (order.status !== 'confirmed') throw new OrderStateError(orderId, order.status, 'confirmed');
      assertOpen(order.distributionId, order.distribution);
      const priced = priceLines(order.products, lines);
      await recordEvent(tx, order.groupId, 'order.updated', orderId, { orderId });
      // the distribution's lock as late as it can be, as in a confirmation; judged again as locked
      const { written, distribution } = await appendLines(tx, {
        orderId, distributionId: order.distributionId, from: order.status, lines: priced.map(({ stockPerDistribution: _, ...line }) => line),
      });
      if (distribution) assertOpen(order.distributionId, distribution);
      // cancelled by another hand meanwhile
      if (!written) throw new OrderStateError(orderId, order.status, 'confirmed');
      await reserveStockFor(tx, order.distributionId, priced);
      return written;
    });
  }

  /** Lines taken out of a confirmed order while the window is open ("enlevez les oeufs"); their stock is released. */
  function removeLines(orderId: string, productIds: string[], inTx?: Tx): Promise<PlacedOrder & { weighed: boolean }> {
    return run(inTx, async (tx) => {
      const order = await readOrder(tx, orderId, { lockDistribution: true });
      if (!order) throw new NotFoundError('order', { orderId });
      if (order.status !== 'confirmed') throw new OrderStateError(orderId, order.status, 'confirmed');
      assertOpen(order.distributionId, order.distribution);
      const removed = order.lines.filter((l) => productIds.includes(l.productId));
      if (removed.length === order.lines.length) throw new ValidationError('an order keeps at least one line: cancel it instead');
      await releaseStock(tx, order.distributionId, removed);
      const updated = await dropLines(tx, orderId, order.status, removed);
      // cancelled by another hand while this one waited for the lock
      if (!updated) throw new OrderStateError(orderId, order.status, 'confirmed');
      await recordEvent(tx, order.groupId, 'order.updated', orderId, { orderId });
      return updated;
    });
  }

  /** Home delivery asked for an active order: a Delivery for the delivery lead. */
  function requestDelivery(orderId: string, address: string, notes?: string, inTx?: Tx) {
    return run(inTx, async (tx) => {
      const order = await tx.order.findUnique({ where: { id: orderId } });
      if (!order) throw new NotFoundError('order', { orderId });
      if (!isActive(order.status)) throw new OrderStateError(orderId, order.status, 'delivery');
      const delivery = await tx.delivery.upsert({
        where: { orderId },
        create: { groupId: order.groupId, orderId, address, notes },
        update: { address, notes, status: 'requested' },
      });
      await tx.order.update({ where: { id: orderId }, data: { fulfilment: 'delivery' } });
      await recordEvent(tx, order.groupId, 'delivery.requested', delivery.id, { deliveryId: delivery.id, orderId });
      return delivery;
    });
  }

  /**
   * Cancels an order. Residents may cancel only while the window is open (`enforceWindow`);
   * staff may cancel later. Reserved stock is released.
   */
  function cancelOrder(orderId: string, opts: { enforceWindow: boolean; actorId?: string }, inTx?: Tx): Promise<void> {
    return run(inTx, async (tx) => {
      const order = await readOrder(tx, orderId, { lockDistribution: true });
      if (!order) throw new NotFoundError('order', { orderId });
      if (!canMove(order.status, 'cancelled')) throw new OrderStateError(orderId, order.status, 'cancelled');
      if (opts.enforceWindow) assertOpen(order.distributionId, order.distribution);
      if (isActive(order.status)) await releaseStock(tx, order.distributionId, order.lines);
      // confirmed or cancelled by another hand while this one waited for the lock: its stock was not ours to give back
      if (!(await markCancelled(tx, orderId, order.status, now(), OPEN_DELIVERY_STATUSES))) throw new OrderStateError(orderId, order.status, 'cancelled');
      if (order.status !== 'draft') {
        await recordEvent(tx, order.groupId, 'order.cancelled', orderId, { orderId, by: opts.actorId ? 'staff' : 'resident' });
      }
      if (opts.actorId) {
        await tx.auditEvent.create({
          data: { groupId: order.groupId, actorId: opts.actorId, actorKind: 'staff', action: 'order.cancelled', entityType: 'Order', entityId: orderId },
        });
      }
    });
  }

  return { placeOrder, placeOrAdd, confirmOrder, cancelOrder, addLines, removeLines, requestDelivery };
}

export type OrderService = ReturnType<typeof createOrderService>;
