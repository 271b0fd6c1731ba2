import { estimateLine, type PricedProduct } from '../catalog/pricing.js';
import { windowState } from '../catalog/window.js';
import type { Db, Tx } from '../platform/db/client.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { writeOutboxEvent } from '../platform/outbox.js';
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

export interface OrderServiceDeps {
  db: Db;
  now?: () => Date;
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

  async function confirmInTx(tx: Tx, orderId: string): Promise<PlacedOrder> {
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
    await writeOutboxEvent(tx, {
      groupId: order.groupId,
      type: 'order.confirmed',
      aggregateType: 'Order',
      aggregateId: orderId,
      payload: { orderId, channel: order.channel },
    });
    return { id: confirmed.id, status: confirmed.status, basketNumber: confirmed.basketNumber, estimatedCents: confirmed.estimatedCents };
  }

  async function placeOrder(input: PlaceOrderInput): Promise<PlacedOrder> {
    if (input.lines.length === 0) throw new ValidationError('an order needs at least one line');
    for (const l of input.lines) {
      if (!Number.isInteger(l.quantity) || l.quantity <= 0) throw new ValidationError('quantities are positive whole numbers', { productId: l.productId });
    }
    return db.$transaction(async (tx) => {
      // an order placed and confirmed at once takes the distribution lock first, like confirmOrder
      const distribution = input.confirm
        ? await lockDistribution(tx, input.distributionId)
        : await tx.distribution.findUnique({ where: { id: input.distributionId } });
      if (!distribution || distribution.groupId !== input.groupId) throw new NotFoundError('distribution', { distributionId: input.distributionId });
      assertOpen(distribution);
      const customer = await tx.customer.findFirst({ where: { id: input.customerId, groupId: input.groupId }, select: { id: true } });
      if (!customer) throw new NotFoundError('customer', { customerId: input.customerId });

      const ids = [...new Set(input.lines.map((l) => l.productId))];
      const products = await tx.product.findMany({ where: { id: { in: ids }, groupId: input.groupId, active: true } });
      const byId = new Map(products.map((p) => [p.id, p]));
      const lines = input.lines.map((l) => {
        const product = byId.get(l.productId);
        if (!product) throw new ProductUnavailableError(l.productId);
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
    }, TX_OPTIONS);
  }

  /** A draft becomes an order: stock is reserved and a basket number given, atomically. */
  function confirmOrder(orderId: string): Promise<PlacedOrder> {
    return db.$transaction((tx) => confirmInTx(tx, orderId), TX_OPTIONS);
  }

  /**
   * Cancels an order. Residents may cancel only while the window is open (`enforceWindow`);
   * staff may cancel later. Reserved stock is released.
   */
  function cancelOrder(orderId: string, opts: { enforceWindow: boolean; actorId?: string }): Promise<void> {
    return db.$transaction(async (tx) => {
      const order = await tx.order.findUnique({ where: { id: orderId }, include: { lines: true } });
      if (!order) throw new NotFoundError('order', { orderId });
      if (!canMove(order.status, 'cancelled')) throw new OrderStateError(orderId, order.status, 'cancelled');
      const distribution = await lockDistribution(tx, order.distributionId);
      if (opts.enforceWindow) assertOpen(distribution);
      if (isActive(order.status)) await releaseStock(tx, order.distributionId, order.lines);
      await tx.order.update({ where: { id: orderId }, data: { status: 'cancelled', cancelledAt: now() } });
      if (order.status !== 'draft') {
        await writeOutboxEvent(tx, { groupId: order.groupId, type: 'order.cancelled', aggregateType: 'Order', aggregateId: orderId, payload: { orderId } });
      }
      if (opts.actorId) {
        await tx.auditEvent.create({
          data: { groupId: order.groupId, actorId: opts.actorId, actorKind: 'staff', action: 'order.cancelled', entityType: 'Order', entityId: orderId },
        });
      }
    }, TX_OPTIONS);
  }

  return { placeOrder, confirmOrder, cancelOrder };
}

export type OrderService = ReturnType<typeof createOrderService>;
