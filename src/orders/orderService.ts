import { estimateLine, type PricedProduct } from '../catalog/pricing.js';
import { windowState } from '../catalog/window.js';
import type { Db, Tx } from '../platform/db/client.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { recordEvent } from './events.js';
import { OrderStateError, OrderWindowClosedError, OutOfStockError, ProductUnavailableError } from './errors.js';
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

// Orders of one distribution queue on its row lock: give them time rather than fail at busy hours.
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

interface LockedDistribution {
  id: string;
  groupId: string;
  status: 'scheduled' | 'closed' | 'done' | 'cancelled';
  opensAt: Date;
  closesAt: Date;
}

/**
 * The one order service used by SMS, voice and the console alike, so every channel follows the
 * same rules: the window, availability, stock, frozen prices, basket numbers, outbox events.
 */
export function createOrderService(deps: OrderServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function lockDistribution(tx: Tx, distributionId: string): Promise<LockedDistribution> {
    // The row lock serialises confirmations of one distribution: basket numbers and stock stay exact.
    // NO KEY UPDATE, not UPDATE: inserting an order takes a KEY SHARE lock on its distribution
    // (foreign key), which FOR UPDATE would conflict with and deadlock on.
    const rows = await tx.$queryRaw<LockedDistribution[]>`
      SELECT id, "groupId", status::text AS status, "opensAt", "closesAt"
      FROM "Distribution" WHERE id = ${distributionId} FOR NO KEY UPDATE`;
    const d = rows[0];
    if (!d) throw new NotFoundError('distribution', { distributionId });
    return d;
  }

  /** Runs in the caller's transaction when given one (a conversation step), else in a new one. */
  function run<T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : db.$transaction(fn, TX_OPTIONS);
  }

  function assertOpen(d: LockedDistribution): void {
    const state = windowState(d, now());
    if (state !== 'open') throw new OrderWindowClosedError(d.id, state);
  }

  async function reserveStock(tx: Tx, distributionId: string, lines: { productId: string; quantity: number }[]): Promise<void> {
    const wanted = new Map<string, number>();
    for (const l of lines) wanted.set(l.productId, (wanted.get(l.productId) ?? 0) + l.quantity);
    const limited = await tx.product.findMany({
      where: { id: { in: [...wanted.keys()] }, stockPerDistribution: { not: null } },
      select: { id: true, name: true, stockPerDistribution: true },
    });
    for (const p of limited) {
      const quantity = wanted.get(p.id) ?? 0;
      await tx.$executeRaw`
        INSERT INTO "DistributionStock" ("distributionId", "productId", available, reserved)
        VALUES (${distributionId}, ${p.id}, ${p.stockPerDistribution}, 0)
        ON CONFLICT ("distributionId", "productId") DO NOTHING`;
      // Conditional update: never more reserved than available, even under concurrent orders.
      const updated = await tx.$executeRaw`
        UPDATE "DistributionStock" SET reserved = reserved + ${quantity}
        WHERE "distributionId" = ${distributionId} AND "productId" = ${p.id} AND reserved + ${quantity} <= available`;
      if (updated === 0) {
        const stock = await tx.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId, productId: p.id } } });
        throw new OutOfStockError(p.id, p.name, Math.max(0, stock.available - stock.reserved));
      }
    }
  }

  async function releaseStock(tx: Tx, distributionId: string, lines: { productId: string; quantity: number }[]): Promise<void> {
    for (const l of lines) {
      await tx.$executeRaw`
        UPDATE "DistributionStock" SET reserved = GREATEST(0, reserved - ${l.quantity})
        WHERE "distributionId" = ${distributionId} AND "productId" = ${l.productId}`;
    }
  }

  async function confirmInTx(tx: Tx, orderId: string): Promise<ConfirmedOrder> {
    const order = await tx.order.findUnique({ where: { id: orderId }, include: { lines: true } });
    if (!order) throw new NotFoundError('order', { orderId });
    if (!canMove(order.status, 'confirmed')) throw new OrderStateError(orderId, order.status, 'confirmed');
    const distribution = await lockDistribution(tx, order.distributionId);
    assertOpen(distribution);
    await reserveStock(tx, order.distributionId, order.lines);
    const [numbered] = await tx.$queryRaw<{ basket: number }[]>`
      UPDATE "Distribution" SET "nextBasketNumber" = "nextBasketNumber" + 1
      WHERE id = ${order.distributionId} RETURNING "nextBasketNumber" - 1 AS basket`;
    const confirmed = await tx.order.update({
      where: { id: orderId },
      data: { status: 'confirmed', basketNumber: numbered!.basket, confirmedAt: now() },
    });
    await recordEvent(tx, order.groupId, 'order.confirmed', orderId, { orderId, channel: order.channel });
    return {
      id: confirmed.id, status: confirmed.status, basketNumber: confirmed.basketNumber, estimatedCents: confirmed.estimatedCents,
      distributionId: confirmed.distributionId, weighed: order.lines.some((l) => l.variableWeight),
    };
  }

  /** Prices lines from the current catalogue: the price is frozen on the line from now on. */
  async function priceLines(tx: Tx, groupId: string, input: OrderLineInput[]) {
    const ids = [...new Set(input.map((l) => l.productId))];
    const products = await tx.product.findMany({ where: { id: { in: ids }, groupId } });
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
      };
    });
  }

  async function placeOrder(input: PlaceOrderInput, inTx?: Tx): Promise<PlacedOrder> {
    if (input.lines.length === 0) throw new ValidationError('an order needs at least one line', undefined, 'empty_order');
    checkLines(input.lines);
    return run(inTx, async (tx) => {
      // an order placed and confirmed at once takes the distribution lock first, like confirmOrder
      const distribution = input.confirm
        ? await lockDistribution(tx, input.distributionId)
        : await tx.distribution.findUnique({ where: { id: input.distributionId } });
      if (!distribution || distribution.groupId !== input.groupId) throw new NotFoundError('distribution', { distributionId: input.distributionId });
      assertOpen(distribution);
      const customer = await tx.customer.findFirst({ where: { id: input.customerId, groupId: input.groupId }, select: { id: true } });
      if (!customer) throw new NotFoundError('customer', { customerId: input.customerId });

      const lines = await priceLines(tx, input.groupId, input.lines);
      const order = await tx.order.create({
        data: {
          groupId: input.groupId,
          customerId: input.customerId,
          distributionId: input.distributionId,
          channel: input.channel,
          fulfilment: input.fulfilment ?? 'pickup',
          notes: input.notes,
          enteredById: input.enteredById,
          estimatedCents: lines.reduce((sum, l) => sum + l.estimatedCents, 0),
          lines: { create: lines },
        },
      });
      if (input.enteredById) {
        await tx.auditEvent.create({
          data: { groupId: input.groupId, actorId: input.enteredById, actorKind: 'staff', action: 'order.entered', entityType: 'Order', entityId: order.id },
        });
      }
      if (!input.confirm) return { id: order.id, status: order.status, basketNumber: null, estimatedCents: order.estimatedCents };
      return confirmInTx(tx, order.id);
    });
  }

  /** A draft becomes an order: stock is reserved and a basket number given, atomically. */
  function confirmOrder(orderId: string, inTx?: Tx): Promise<ConfirmedOrder> {
    return run(inTx, (tx) => confirmInTx(tx, orderId));
  }

  /** Lines added to a confirmed order (a resident texting again "et aussi 2 yaourts"). */
  function addLines(orderId: string, lines: OrderLineInput[], inTx?: Tx): Promise<PlacedOrder> {
    checkLines(lines);
    return run(inTx, async (tx) => {
      const order = await tx.order.findUnique({ where: { id: orderId } });
      if (!order) throw new NotFoundError('order', { orderId });
      if (order.status !== 'confirmed') throw new OrderStateError(orderId, order.status, 'confirmed');
      const distribution = await lockDistribution(tx, order.distributionId);
      assertOpen(distribution);
      const priced = await priceLines(tx, order.groupId, lines);
      await reserveStock(tx, order.distributionId, priced);
      await tx.orderLine.createMany({ data: priced.map((l) => ({ ...l, orderId })) });
      const updated = await tx.order.update({ where: { id: orderId }, data: { estimatedCents: { increment: priced.reduce((s, l) => s + l.estimatedCents, 0) } } });
      await recordEvent(tx, order.groupId, 'order.updated', orderId, { orderId });
      return { id: updated.id, status: updated.status, basketNumber: updated.basketNumber, estimatedCents: updated.estimatedCents };
    });
  }

  /** Lines taken out of a confirmed order while the window is open ("enlevez les oeufs"); their stock is released. */
  function removeLines(orderId: string, productIds: string[], inTx?: Tx): Promise<PlacedOrder> {
    return run(inTx, async (tx) => {
      const order = await tx.order.findUnique({ where: { id: orderId }, include: { lines: true } });
      if (!order) throw new NotFoundError('order', { orderId });
      if (order.status !== 'confirmed') throw new OrderStateError(orderId, order.status, 'confirmed');
      const distribution = await lockDistribution(tx, order.distributionId);
      assertOpen(distribution);
      const removed = order.lines.filter((l) => productIds.includes(l.productId));
      if (removed.length === order.lines.length) throw new ValidationError('an order keeps at least one line: cancel it instead');
      await releaseStock(tx, order.distributionId, removed);
      await tx.orderLine.deleteMany({ where: { id: { in: removed.map((l) => l.id) } } });
      const updated = await tx.order.update({ where: { id: orderId }, data: { estimatedCents: { decrement: removed.reduce((s, l) => s + l.estimatedCents, 0) } } });
      await recordEvent(tx, order.groupId, 'order.updated', orderId, { orderId });
      return { id: updated.id, status: updated.status, basketNumber: updated.basketNumber, estimatedCents: updated.estimatedCents };
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
      const order = await tx.order.findUnique({ where: { id: orderId }, include: { lines: true } });
      if (!order) throw new NotFoundError('order', { orderId });
      if (!canMove(order.status, 'cancelled')) throw new OrderStateError(orderId, order.status, 'cancelled');
      const distribution = await lockDistribution(tx, order.distributionId);
      if (opts.enforceWindow) assertOpen(distribution);
      if (isActive(order.status)) await releaseStock(tx, order.distributionId, order.lines);
      await tx.order.update({ where: { id: orderId }, data: { status: 'cancelled', cancelledAt: now() } });
      await tx.delivery.updateMany({ where: { orderId, status: { in: ['requested', 'assigned', 'accepted'] } }, data: { status: 'cancelled' } });
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

  return { placeOrder, confirmOrder, cancelOrder, addLines, removeLines, requestDelivery };
}

export type OrderService = ReturnType<typeof createOrderService>;
