// The order use cases' SQL (they run inside every SMS, voice and console order): one round trip per
// step where Prisma's reads and nested writes cost several. These only read and write; every rule
// (window, availability, prices, stock, status moves) is judged in orderService.ts.
import type { PricedProduct, ProductUnit } from '../catalog/pricing.js';
import { Prisma, type Tx } from '../platform/db/client.js';
import type { OrderStatus } from './status.js';

export interface OrderWindowRow {
  status: 'scheduled' | 'closed' | 'done' | 'cancelled';
  opensAt: Date;
  closesAt: Date;
}

export interface LockedDistribution extends OrderWindowRow {
  id: string;
  groupId: string;
}

/** A product as an order line needs it: its price for estimateLine, its snapshot, its stock. */
export interface ProductForLine extends PricedProduct {
  id: string;
  name: string;
  active: boolean;
  vatRateBp: number;
  /** stock offered at each distribution; null = unlimited */
  stockPerDistribution: number | null;
}

/** A line as it is frozen on the order. */
export interface FrozenLine {
  productId: string;
  quantity: number;
  estimatedGrams: number | null;
  productName: string;
  unit: ProductUnit;
  unitPriceCents: number;
  vatRateBp: number;
  variableWeight: boolean;
  estimatedCents: number;
}

/** A line of a stored order, with what confirming, cancelling or removing it needs. */
export interface StoredLine {
  id: string;
  productId: string;
  /** the product's current name (an out-of-stock refusal names it) */
  productName: string;
  quantity: number;
  estimatedCents: number;
  variableWeight: boolean;
  /** the product's stock per distribution; null = unlimited */
  stockPerDistribution: number | null;
}

// Row lock on the distribution: it serialises confirmations of one distribution, so basket numbers
// and stock stay exact. NO KEY UPDATE, not UPDATE: inserting an order takes a KEY SHARE lock on its
// distribution (foreign key), which FOR UPDATE would conflict with and deadlock on.
const LOCK_DISTRIBUTION = Prisma.sql`FOR NO KEY UPDATE OF d`;

function productsAsked(groupId: Prisma.Sql, productIds: string[]): Prisma.Sql {
  return Prisma.sql`(
    SELECT json_agg(json_build_object(
      'id', p.id, 'name', p.name, 'active', p.active, 'unit', p.unit, 'priceCents', p."priceCents", 'vatRateBp', p."vatRateBp",
      'variableWeight', p."variableWeight", 'multiWeigh', p."multiWeigh", 'portionGrams', p."portionGrams", 'packSize', p."packSize",
      'averageWeightGrams', p."averageWeightGrams", 'stockPerDistribution', p."stockPerDistribution"))
    FROM "Product" p WHERE p.id = ANY(${productIds}::text[]) AND p."groupId" = ${groupId})`;
}

export interface PlacingContext {
  distribution: LockedDistribution | null;
  customerFound: boolean;
  /** the products asked that belong to the group (active or not) */
  products: ProductForLine[];
}

/** The distribution, the customer and the products asked, in one read (a confirmation locks the distribution at its end). */
export async function readForPlacing(
  tx: Tx,
  q: { groupId: string; customerId: string; distributionId: string; productIds: string[] },
): Promise<PlacingContext> {
  const rows = await tx.$queryRaw<(LockedDistribution & { customerFound: boolean; products: ProductForLine[] | null })[]>`
    SELECT d.id, d."groupId", d.status::text AS status, d."opensAt", d."closesAt",
      EXISTS (SELECT 1 FROM "Customer" c WHERE c.id = ${q.customerId} AND c."groupId" = ${q.groupId}) AS "customerFound",
      ${productsAsked(Prisma.sql`${q.groupId}`, q.productIds)} AS products
    FROM "Distribution" d WHERE d.id = ${q.distributionId}`;
  const row = rows[0];
  if (!row) return { distribution: null, customerFound: false, products: [] };
  const { customerFound, products, ...distribution } = row;
  return { distribution, customerFound, products: products ?? [] };
}

function linesFrom(lines: FrozenLine[]): Prisma.Sql {
  return Prisma.sql`jsonb_to_recordset(${JSON.stringify(lines)}::jsonb) AS l(
    "productId" text, quantity int, "estimatedGrams" int, "productName" text, unit text,
    "unitPriceCents" int, "vatRateBp" int, "variableWeight" boolean, "estimatedCents" int)`;
}

/** Inserts the lines for the order the CTE `orderCte` returned (its `id`). */
function insertLines(orderCte: 'placed' | 'updated', lines: FrozenLine[]): Prisma.Sql {
  return Prisma.sql`INSERT INTO "OrderLine" (id, "orderId", "productId", quantity, "estimatedGrams", "productName", unit,
      "unitPriceCents", "vatRateBp", "variableWeight", "estimatedCents")
    SELECT gen_random_uuid(), o.id, l."productId", l.quantity, l."estimatedGrams", l."productName", l.unit::"ProductUnit",
      l."unitPriceCents", l."vatRateBp", l."variableWeight", l."estimatedCents"
    FROM ${Prisma.raw(orderCte)} o, ${linesFrom(lines)}`;
}

export interface NewOrder {
  groupId: string;
  customerId: string;
  distributionId: string;
  channel: 'sms' | 'voice' | 'operator';
  fulfilment: 'pickup' | 'delivery';
  notes: string | null;
  enteredById: string | null;
  estimatedCents: number;
  lines: FrozenLine[];
}

/**
 * The order (a draft), its lines and, for an order staff entered, its audit row, in one statement.
 * Every column Prisma's create filled is filled here (raw SQL applies no @updatedAt).
 */
export async function insertDraft(tx: Tx, order: NewOrder): Promise<{ id: string; status: OrderStatus; estimatedCents: number }> {
  const at = new Date();
  const rows = await tx.$queryRaw<{ id: string; status: OrderStatus; estimatedCents: number }[]>`
    WITH placed AS (
      INSERT INTO "Order" (id, "groupId", "customerId", "distributionId", channel, status, fulfilment, notes, "enteredById",
        "estimatedCents", "createdAt", "updatedAt")
      VALUES (gen_random_uuid(), ${order.groupId}, ${order.customerId}, ${order.distributionId}, ${order.channel}::"OrderChannel",
        'draft', ${order.fulfilment}::"Fulfilment", ${order.notes}, ${order.enteredById}, ${order.estimatedCents}, ${at}, ${at})
      RETURNING id, status::text AS status, "estimatedCents"
    ), lines AS (
      ${insertLines('placed', order.lines)}
    ), audited AS (
      INSERT INTO "AuditEvent" (id, "groupId", "actorId", "actorKind", action, "entityType", "entityId", "createdAt")
      SELECT gen_random_uuid(), ${order.groupId}, ${order.enteredById}, 'staff', 'order.entered', 'Order', o.id, ${at}
      FROM placed o WHERE ${order.enteredById}::text IS NOT NULL
    )
    SELECT id, status, "estimatedCents" FROM placed`;
  return rows[0]!;
}

export interface LockedOrder {
  id: string;
  groupId: string;
  status: OrderStatus;
  channel: 'sms' | 'voice' | 'operator';
  distributionId: string;
  basketNumber: number | null;
  estimatedCents: number;
  distribution: OrderWindowRow;
  lines: StoredLine[];
}

/**
 * The order, its lines with their products' stock, and its distribution, in one statement; with
 * `lockDistribution`, the distribution locked (cancelling, removing lines). The order's status may
 * be older than the lock (read before waiting for it): the write that follows checks it has not changed.
 */
export async function readOrder(tx: Tx, orderId: string, opts: { lockDistribution: boolean }): Promise<LockedOrder | null> {
  const rows = await tx.$queryRaw<(Omit<LockedOrder, 'distribution' | 'lines'> & OrderWindowRow & { distributionStatus: OrderWindowRow['status']; lines: StoredLine[] | null })[]>`
    SELECT o.id, o."groupId", o.status::text AS status, o.channel::text AS channel, o."distributionId", o."basketNumber", o."estimatedCents",
      d.status::text AS "distributionStatus", d."opensAt", d."closesAt",
      (SELECT json_agg(json_build_object('id', l.id, 'productId', l."productId", 'productName', p.name, 'quantity', l.quantity,
          'estimatedCents', l."estimatedCents", 'variableWeight', l."variableWeight", 'stockPerDistribution', p."stockPerDistribution"))
        FROM "OrderLine" l JOIN "Product" p ON p.id = l."productId" WHERE l."orderId" = o.id) AS lines
    FROM "Order" o JOIN "Distribution" d ON d.id = o."distributionId"
    WHERE o.id = ${orderId}
    ${opts.lockDistribution ? LOCK_DISTRIBUTION : Prisma.empty}`;
  const row = rows[0];
  if (!row) return null;
  const { distributionStatus, opensAt, closesAt, lines, ...order } = row;
  return { ...order, distribution: { status: distributionStatus, opensAt, closesAt }, lines: lines ?? [] };
}

export interface OrderToExtend {
  id: string;
  groupId: string;
  status: OrderStatus;
  distributionId: string;
  distribution: OrderWindowRow;
  products: ProductForLine[];
}

/**
 * The order, its distribution and the products to add, in one statement. Nothing is locked: the
 * statement that adds the lines locks the distribution and returns it to be judged again.
 */
export async function readForAdding(tx: Tx, orderId: string, productIds: string[]): Promise<OrderToExtend | null> {
  const rows = await tx.$queryRaw<(Omit<OrderToExtend, 'distribution' | 'products'> & OrderWindowRow & { distributionStatus: OrderWindowRow['status']; products: ProductForLine[] | null })[]>`
    SELECT o.id, o."groupId", o.status::text AS status, o."distributionId",
      d.status::text AS "distributionStatus", d."opensAt", d."closesAt",
      ${productsAsked(Prisma.sql`o."groupId"`, productIds)} AS products
    FROM "Order" o JOIN "Distribution" d ON d.id = o."distributionId"
    WHERE o.id = ${orderId}`;
  const row = rows[0];
  if (!row) return null;
  const { distributionStatus, opensAt, closesAt, products, ...order } = row;
  return { ...order, distribution: { status: distributionStatus, opensAt, closesAt }, products: products ?? [] };
}

export interface StockAsked {
  productId: string;
  quantity: number;
  /** the product's stock per distribution: the stock row's `available` when this distribution has none yet */
  stockPerDistribution: number;
}

/**
 * Reserves the quantities of stocked products at a distribution, in one statement. A row is taken
 * only if it stays within what is available; the ON CONFLICT's WHERE re-checks on the row's latest
 * version, so stock is never over-reserved even by a writer that skipped the distribution lock.
 * Returns, for each product, whether it was reserved and how many were left before.
 */
export async function reserveStock(tx: Tx, distributionId: string, asked: StockAsked[]): Promise<{ productId: string; reserved: boolean; remaining: number }[]> {
  return tx.$queryRaw`
    WITH wanted AS (
      SELECT w."productId", w.quantity, COALESCE(s.available, w."stockPerDistribution") AS available, COALESCE(s.reserved, 0) AS reserved
      FROM jsonb_to_recordset(${JSON.stringify(asked)}::jsonb) AS w("productId" text, quantity int, "stockPerDistribution" int)
      LEFT JOIN "DistributionStock" s ON s."distributionId" = ${distributionId} AND s."productId" = w."productId"
    ), taken AS (
      INSERT INTO "DistributionStock" ("distributionId", "productId", available, reserved)
      -- rows taken in one order by everyone: two additions naming the same products in another order never deadlock
      SELECT ${distributionId}, w."productId", w.available, w.quantity FROM wanted w WHERE w.reserved + w.quantity <= w.available ORDER BY w."productId"
      ON CONFLICT ("distributionId", "productId") DO UPDATE SET reserved = "DistributionStock".reserved + EXCLUDED.reserved
      WHERE "DistributionStock".reserved + EXCLUDED.reserved <= "DistributionStock".available
      RETURNING "productId"
    )
    SELECT w."productId", t."productId" IS NOT NULL AS reserved, GREATEST(0, w.available - w.reserved)::int AS remaining
    FROM wanted w LEFT JOIN taken t ON t."productId" = w."productId"`;
}

/** A write that locked the order's distribution, with the distribution as the lock found it (to be judged again). */
export interface UnderLock<T> {
  /** null: the order's status was no longer the one judged, or the distribution is gone */
  written: T | null;
  distribution: OrderWindowRow | null;
}

interface WindowColumns {
  distributionStatus: OrderWindowRow['status'] | null;
  opensAt: Date | null;
  closesAt: Date | null;
}

function windowOf(row: WindowColumns | undefined): OrderWindowRow | null {
  return row?.distributionStatus && row.opensAt && row.closesAt ? { status: row.distributionStatus, opensAt: row.opensAt, closesAt: row.closesAt } : null;
}

/** Units of a product still free at a distribution, as committed now (null: no stock row yet). */
export async function stockLeft(tx: Tx, distributionId: string, productId: string): Promise<number | null> {
  const rows = await tx.$queryRaw<{ left: number }[]>`
    SELECT GREATEST(0, available - reserved)::int AS left FROM "DistributionStock" WHERE "distributionId" = ${distributionId} AND "productId" = ${productId}`;
  return rows[0]?.left ?? null;
}

/**
 * The order confirmed and given its distribution's next basket number, if its status is still the
 * one judged (`from`), in one statement that also takes the distribution's lock. Gapless: the
 * caller throws when the order did not move (its rollback takes the number back), and
 * confirmations of one distribution take the lock one at a time. The lock is taken here, late in
 * the confirmation, so it is held only briefly before the caller's commit; the distribution is
 * returned as locked, for the window to be judged again.
 */
export async function numberAndConfirm(
  tx: Tx,
  q: { orderId: string; distributionId: string; from: OrderStatus; confirmedAt: Date },
): Promise<UnderLock<{ basketNumber: number; estimatedCents: number }>> {
  // the distribution's row is taken once, by the UPDATE that moves its counter: it waits for the
  // lock and then works on the latest committed row, and returns it (the number is the counter
  // before the move). A second lock on the same row in the statement (a locking read, then this
  // update) deadlocked under load with another confirmation queued in between. Should the order
  // not move, the caller's rollback (savepoint or transaction) takes the number back: gapless.
  const rows = await tx.$queryRaw<(WindowColumns & { basketNumber: number | null; estimatedCents: number | null })[]>`
    WITH d AS (
      UPDATE "Distribution" SET "nextBasketNumber" = "nextBasketNumber" + 1 WHERE id = ${q.distributionId}
      RETURNING id, "nextBasketNumber" - 1 AS number, status::text AS status, "opensAt", "closesAt"
    ), confirmed AS (
      UPDATE "Order" o SET status = 'confirmed', "basketNumber" = d.number, "confirmedAt" = ${q.confirmedAt}, "updatedAt" = ${new Date()}
      FROM d
      WHERE o.id = ${q.orderId} AND o.status = ${q.from}::"OrderStatus" AND o."distributionId" = d.id
      RETURNING o."basketNumber", o."estimatedCents"
    )
    SELECT d.status AS "distributionStatus", d."opensAt", d."closesAt", c."basketNumber", c."estimatedCents"
    FROM d LEFT JOIN confirmed c ON true`;
  const row = rows[0];
  const written = row && row.basketNumber !== null && row.estimatedCents !== null ? { basketNumber: row.basketNumber, estimatedCents: row.estimatedCents } : null;
  return { written, distribution: windowOf(row) };
}

/**
 * The lines added and the order's estimate raised, if its status is still `from`, in one statement
 * that takes a share lock on the distribution: additions do not wait for one another, but a close
 * (or a confirmation's numbering) waits for them, and they for it. The distribution is returned as
 * locked, for the window to be judged again.
 */
export async function appendLines(
  tx: Tx,
  q: { orderId: string; distributionId: string; from: OrderStatus; lines: FrozenLine[] },
): Promise<UnderLock<{ id: string; status: OrderStatus; basketNumber: number | null; estimatedCents: number; weighed: boolean }>> {
  const added = q.lines.reduce((sum, l) => sum + l.estimatedCents, 0);
  const rows = await tx.$queryRaw<(WindowColumns & { id: string | null; status: OrderStatus | null; basketNumber: number | null; estimatedCents: number | null; weighed: boolean | null })[]>`
    WITH d AS (
      SELECT id, status::text AS status, "opensAt", "closesAt" FROM "Distribution" WHERE id = ${q.distributionId} FOR SHARE
    ), updated AS (
      UPDATE "Order" o SET "estimatedCents" = o."estimatedCents" + ${added}, "updatedAt" = ${new Date()}
      FROM d
      WHERE o.id = ${q.orderId} AND o.status = ${q.from}::"OrderStatus" AND o."distributionId" = d.id
      RETURNING o.id, o.status::text AS status, o."basketNumber", o."estimatedCents"
    ), lines AS (
      ${insertLines('updated', q.lines)}
    )
    SELECT d.status AS "distributionStatus", d."opensAt", d."closesAt", u.id, u.status, u."basketNumber", u."estimatedCents",
      -- the lines it held before (this statement's own inserts are not visible to it), and the new ones
      ${q.lines.some((l) => l.variableWeight)} OR EXISTS (SELECT 1 FROM "OrderLine" l WHERE l."orderId" = u.id AND l."variableWeight") AS weighed
    FROM d LEFT JOIN updated u ON true`;
  const row = rows[0];
  const written = row?.id && row.status && row.estimatedCents !== null
    ? { id: row.id, status: row.status, basketNumber: row.basketNumber, estimatedCents: row.estimatedCents, weighed: row.weighed ?? false }
    : null;
  return { written, distribution: windowOf(row) };
}

/** Reserved stock given back (a cancellation, lines removed), in one statement. */
export async function releaseStock(tx: Tx, distributionId: string, lines: { productId: string; quantity: number }[]): Promise<void> {
  if (lines.length === 0) return;
  // summed per product first: an UPDATE … FROM changes a row once however many lines match it
  await tx.$executeRaw`
    UPDATE "DistributionStock" s SET reserved = GREATEST(0, s.reserved - r.quantity)
    FROM (SELECT r."productId", sum(r.quantity)::int AS quantity
          FROM jsonb_to_recordset(${JSON.stringify(lines.map((l) => ({ productId: l.productId, quantity: l.quantity })))}::jsonb) AS r("productId" text, quantity int)
          GROUP BY r."productId") r
    WHERE s."distributionId" = ${distributionId} AND s."productId" = r."productId"`;
}

/** The order cancelled and its open deliveries (`deliveryStatuses`) with it, in one statement, if its status is still `from`. */
export async function markCancelled(tx: Tx, orderId: string, from: OrderStatus, cancelledAt: Date, deliveryStatuses: readonly string[]): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    WITH cancelled AS (
      UPDATE "Order" SET status = 'cancelled', "cancelledAt" = ${cancelledAt}, "updatedAt" = ${new Date()}
      WHERE id = ${orderId} AND status = ${from}::"OrderStatus"
      RETURNING id
    ), deliveries AS (
      UPDATE "Delivery" SET status = 'cancelled'
      WHERE "orderId" IN (SELECT id FROM cancelled) AND status::text = ANY(${[...deliveryStatuses]}::text[])
    )
    SELECT id FROM cancelled`;
  return rows.length > 0;
}

/** Lines deleted and the order's estimate lowered, in one statement, if its status is still `from`. */
export async function dropLines(
  tx: Tx,
  orderId: string,
  from: OrderStatus,
  lines: { id: string; estimatedCents: number }[],
): Promise<{ id: string; status: OrderStatus; basketNumber: number | null; estimatedCents: number; weighed: boolean } | null> {
  const removed = lines.reduce((sum, l) => sum + l.estimatedCents, 0);
  const rows = await tx.$queryRaw<{ id: string; status: OrderStatus; basketNumber: number | null; estimatedCents: number; weighed: boolean }[]>`
    WITH updated AS (
      UPDATE "Order" SET "estimatedCents" = "estimatedCents" - ${removed}, "updatedAt" = ${new Date()}
      WHERE id = ${orderId} AND status = ${from}::"OrderStatus"
      RETURNING id, status::text AS status, "basketNumber", "estimatedCents"
    ), dropped AS (
      DELETE FROM "OrderLine" WHERE "orderId" IN (SELECT id FROM updated) AND id = ANY(${lines.map((l) => l.id)}::text[])
    )
    SELECT u.id, u.status, u."basketNumber", u."estimatedCents",
      EXISTS (SELECT 1 FROM "OrderLine" l WHERE l."orderId" = u.id AND l."variableWeight" AND NOT (l.id = ANY(${lines.map((l) => l.id)}::text[]))) AS weighed
    FROM updated u`;
  return rows[0] ?? null;
}
