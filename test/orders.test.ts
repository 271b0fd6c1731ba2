import { beforeAll, describe, expect, it } from 'vitest';
import { OrderStateError, OrderWindowClosedError, OutOfStockError, ProductUnavailableError } from '../src/orders/errors.js';
import { createOrderService, type OrderService } from '../src/orders/orderService.js';
import { SYSTEM } from '../src/orders/actor.js';
import { closeDistribution } from '../src/orders/distributionLifecycle.js';
import { withSavepoint } from '../src/platform/db/savepoint.js';
import type { Db, Tx } from '../src/platform/db/client.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { countingDb } from './helpers/statements.js';

let db: Db;
let url: string;
let orders: OrderService;

beforeAll(async () => {
  ({ db, url } = await useTestDatabase());
  orders = createOrderService({ db });
});

async function newCustomer(g: TestGroup) {
  return db.customer.create({ data: { groupId: g.groupId, phone: uniqueMobile() } });
}

describe('placing an order', () => {
  let g: TestGroup;
  beforeAll(async () => {
    g = await createTestGroup(db);
  });

  it('freezes prices, totals the estimate, numbers the basket and writes an outbox event in the same transaction', async () => {
    const placed = await orders.placeOrder({
      groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true,
      lines: [
        { productId: g.products.baguette, quantity: 2 }, // 2.40
        { productId: g.products.comte, quantity: 1 }, // 200 g at 2.60/100 g = 5.20
        { productId: g.products.poulet, quantity: 1 }, // 1.8 kg at 11.50 = 20.70
      ],
    });
    expect(placed.status).toBe('confirmed');
    expect(placed.estimatedCents).toBe(240 + 520 + 2070);
    expect(placed.basketNumber).toBeGreaterThanOrEqual(1);

    const stored = await db.order.findUniqueOrThrow({ where: { id: placed.id }, include: { lines: true } });
    expect(stored.lines.map((l) => [l.productName, l.unitPriceCents, l.estimatedCents, l.estimatedGrams])).toEqual(
      expect.arrayContaining([
        ['Baguette tradition', 120, 240, null],
        ['Comte', 260, 520, 200],
        ['Poulet fermier', 1150, 2070, 1800],
      ]),
    );
    const events = await db.outboxEvent.findMany({ where: { aggregateId: placed.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'order.confirmed', publishedAt: null, payload: { orderId: placed.id, channel: 'sms' } });

    // a later price change does not touch the order
    await db.product.update({ where: { id: g.products.baguette }, data: { priceCents: 150 } });
    const line = await db.orderLine.findFirstOrThrow({ where: { orderId: placed.id, productId: g.products.baguette } });
    expect(line.unitPriceCents).toBe(120);
    await db.product.update({ where: { id: g.products.baguette }, data: { priceCents: 120 } });
  });

  it('gives consecutive basket numbers within a distribution', async () => {
    const numbers: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await newCustomer(g);
      const placed = await orders.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'voice', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
      numbers.push(placed.basketNumber as number);
    }
    expect(numbers[1]).toBe(numbers[0]! + 1);
    expect(numbers[2]).toBe(numbers[0]! + 2);
  });

  it('keeps a draft without basket number or stock until it is confirmed', async () => {
    const draft = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: g.products.croissant, quantity: 2 }] });
    expect(draft).toMatchObject({ status: 'draft', basketNumber: null, estimatedCents: 220 });
    expect(await db.distributionStock.findUnique({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } })).toBeNull();
    expect(await db.outboxEvent.count({ where: { aggregateId: draft.id } })).toBe(0);
    const confirmed = await orders.confirmOrder(draft.id);
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.basketNumber).not.toBeNull();
    const stock = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    expect(stock).toMatchObject({ available: 10, reserved: 2 });
    await orders.cancelOrder(draft.id, { enforceWindow: true });
    const released = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    expect(released.reserved).toBe(0);
    expect(await db.outboxEvent.findMany({ where: { aggregateId: draft.id }, select: { type: true }, orderBy: { createdAt: 'asc' } })).toEqual([{ type: 'order.confirmed' }, { type: 'order.cancelled' }]);
  });

  it('refuses products of another group or no longer sold', async () => {
    await db.product.update({ where: { id: g.products.oeufs }, data: { active: false } });
    await expect(
      orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.oeufs, quantity: 1 }] }),
    ).rejects.toBeInstanceOf(ProductUnavailableError);
    const other = await createTestGroup(db);
    await expect(
      orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: other.products.baguette, quantity: 1 }] }),
    ).rejects.toBeInstanceOf(ProductUnavailableError);
  });
});

describe('the order window', () => {
  it('refuses orders before it opens and after it closes, and writes nothing', async () => {
    const g = await createTestGroup(db);
    const before = createOrderService({ db, now: () => new Date(Date.now() - 3 * 24 * 3600_000) });
    const after = createOrderService({ db, now: () => new Date(Date.now() + 5 * 24 * 3600_000) });
    const input = { groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms' as const, confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] };
    await expect(before.placeOrder(input)).rejects.toMatchObject({ code: 'order_window_closed', state: 'not_yet_open' });
    await expect(after.placeOrder(input)).rejects.toBeInstanceOf(OrderWindowClosedError);
    expect(await db.order.count({ where: { distributionId: g.distributionId } })).toBe(0);
  });

  it('refuses to confirm a draft once the window has closed', async () => {
    const g = await createTestGroup(db);
    const draft = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const later = createOrderService({ db, now: () => new Date(Date.now() + 5 * 24 * 3600_000) });
    await expect(later.confirmOrder(draft.id)).rejects.toBeInstanceOf(OrderWindowClosedError);
    expect((await db.order.findUniqueOrThrow({ where: { id: draft.id } })).status).toBe('draft');
  });

  it('lets staff cancel after the window but not residents', async () => {
    const g = await createTestGroup(db);
    const placed = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const later = createOrderService({ db, now: () => new Date(Date.now() + 5 * 24 * 3600_000) });
    await expect(later.cancelOrder(placed.id, { enforceWindow: true })).rejects.toBeInstanceOf(OrderWindowClosedError);
    const staff = await db.staffUser.create({ data: { groupId: g.groupId, role: 'operator', name: 'Op' } });
    await later.cancelOrder(placed.id, { enforceWindow: false, actorId: staff.id });
    expect((await db.order.findUniqueOrThrow({ where: { id: placed.id } })).status).toBe('cancelled');
    expect(await db.auditEvent.count({ where: { entityId: placed.id, action: 'order.cancelled', actorId: staff.id } })).toBe(1);
  });
});

/**
 * Resolves once a session of this database waits on a row lock in a statement matching `pattern`;
 * resolves false as soon as `gaveUp()` says there is nothing left to wait for.
 */
async function someoneWaitsOnLock(pattern: string, gaveUp: () => boolean = () => false): Promise<boolean> {
  for (let i = 0; i < 800 && !gaveUp(); i++) {
    const [row] = await db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ${`%${pattern}%`}`;
    if (row!.n > 0) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (gaveUp()) return false;
  throw new Error(`no session waited on a lock in a statement with ${pattern}`);
}

/** Runs `work` in a transaction held open (its locks with it) until `commit()` is called. */
async function heldOpen(work: (tx: Tx) => Promise<unknown>) {
  let commit!: () => void;
  const held = new Promise<void>((r) => (commit = r));
  let worked!: () => void;
  const hasWorked = new Promise<void>((r) => (worked = r));
  const done = db.$transaction(async (tx) => {
    await work(tx);
    worked();
    await held;
  }, { timeout: 20_000 });
  // a failed `work` fails the test, rather than leaving it waiting
  await Promise.race([hasWorked, done]);
  return { commit: () => (commit(), done) };
}

/** A close of the distribution, its transaction held open until `commit()` is called. */
const closeHeldOpen = (g: TestGroup) => heldOpen((tx) => closeDistribution(tx, { groupId: g.groupId, distributionId: g.distributionId }, SYSTEM, new Date()));

describe('the distribution lock, taken late', () => {
  it('a close that commits while a confirmation waits for the lock wins: nothing numbered, reserved or announced', async () => {
    const g = await createTestGroup(db, { croissantStock: 10 });
    const draft = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: g.products.croissant, quantity: 2 }] });
    const close = await closeHeldOpen(g);
    // the confirmation read the window open before the close committed, then waits at its numbering
    const confirming = orders.confirmOrder(draft.id).then(() => null, (err: unknown) => err);
    await someoneWaitsOnLock('nextBasketNumber');
    await close.commit();
    expect(await confirming).toBeInstanceOf(OrderWindowClosedError);
    const stored = await db.order.findUniqueOrThrow({ where: { id: draft.id } });
    // the close lapsed the draft; the confirmation left no number, stock or event behind
    expect([stored.status, stored.basketNumber]).toEqual(['cancelled', null]);
    expect(await db.distribution.findUniqueOrThrow({ where: { id: g.distributionId }, select: { nextBasketNumber: true } })).toEqual({ nextBasketNumber: 1 });
    expect(await db.distributionStock.count({ where: { distributionId: g.distributionId, reserved: { gt: 0 } } })).toBe(0);
    expect(await db.outboxEvent.count({ where: { aggregateId: draft.id } })).toBe(0);
  });

  it('a close that commits while an addition waits for the lock wins: the order stays as it was', async () => {
    const g = await createTestGroup(db, { croissantStock: 10 });
    const placed = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const close = await closeHeldOpen(g);
    const adding = orders.addLines(placed.id, [{ productId: g.products.croissant, quantity: 3 }]).then(() => null, (err: unknown) => err);
    await someoneWaitsOnLock('FOR SHARE');
    await close.commit();
    expect(await adding).toBeInstanceOf(OrderWindowClosedError);
    const stored = await db.order.findUniqueOrThrow({ where: { id: placed.id }, include: { lines: true } });
    expect([stored.status, stored.estimatedCents, stored.lines.length]).toEqual(['confirmed', placed.estimatedCents, 1]);
    expect(await db.distributionStock.count({ where: { distributionId: g.distributionId, reserved: { gt: 0 } } })).toBe(0);
    expect(await db.outboxEvent.count({ where: { aggregateId: placed.id, type: 'order.updated' } })).toBe(0);
  });

  it('two additions naming two stocked products in opposite orders, waiting on a third, do not deadlock', async () => {
    const g = await createTestGroup(db, { croissantStock: 50 });
    await db.product.update({ where: { id: g.products.oeufs }, data: { stockPerDistribution: 50 } });
    const basket = async () => orders.placeOrder({ groupId: g.groupId, customerId: (await newCustomer(g)).id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const [x, a, b] = [await basket(), await basket(), await basket()];
    const waitingOnLocks = async (n: number) => {
      for (let i = 0; i < 800; i++) {
        const [row] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        if (row!.n >= n) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`${n} sessions never waited on a lock`);
    };
    // X holds the croissants' stock row until it commits
    const open = await heldOpen((tx) => orders.addLines(x.id, [{ productId: g.products.croissant, quantity: 1 }], tx));
    // A waits first, then B: were each to take its rows in the order named, A would get the
    // croissants when X commits and wait for B's eggs, while B waits for A's croissants
    const added = (p: Promise<unknown>) => p.then(() => 'added', (err: Error) => err.message);
    const first = added(orders.addLines(a.id, [{ productId: g.products.croissant, quantity: 1 }, { productId: g.products.oeufs, quantity: 1 }]));
    await waitingOnLocks(1);
    const second = added(orders.addLines(b.id, [{ productId: g.products.oeufs, quantity: 1 }, { productId: g.products.croissant, quantity: 1 }]));
    await waitingOnLocks(2);
    await open.commit();
    expect(await Promise.all([first, second])).toEqual(['added', 'added']);
    const stock = await db.distributionStock.findMany({ where: { distributionId: g.distributionId }, select: { productId: true, reserved: true } });
    expect(Object.fromEntries(stock.map((r) => [r.productId, r.reserved]))).toEqual({ [g.products.croissant]: 3, [g.products.oeufs]: 2 });
  });

  it('additions to two orders of one distribution do not wait for each other', async () => {
    const g = await createTestGroup(db);
    const first = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const other = await newCustomer(g);
    const second = await orders.placeOrder({ groupId: g.groupId, customerId: other.id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const open = await heldOpen((tx) => orders.addLines(first.id, [{ productId: g.products.comte, quantity: 1 }], tx));
    // the first addition's transaction still holds its share of the lock
    // waiting is seen on the server (a session waiting on a lock), not guessed from a clock
    let settled = false;
    const adding = orders.addLines(second.id, [{ productId: g.products.comte, quantity: 1 }]).finally(() => (settled = true));
    const waited = await someoneWaitsOnLock('FOR SHARE', () => settled);
    const result = waited ? 'waited' : await adding;
    await open.commit();
    expect(result).toMatchObject({ id: second.id, status: 'confirmed' });
  });
});

describe('stock under concurrent orders', () => {
  it('sells exactly 10 of a stock of 10 to 30 residents ordering at once', async () => {
    const g = await createTestGroup(db, { croissantStock: 10 });
    const customers = await Promise.all(Array.from({ length: 30 }, () => newCustomer(g)));
    const results = await Promise.allSettled(
      customers.map((c) =>
        orders.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.croissant, quantity: 1 }] }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(10);
    expect(lost).toHaveLength(20);
    for (const r of lost) expect(r.reason).toBeInstanceOf(OutOfStockError);
    const stock = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    expect(stock).toMatchObject({ available: 10, reserved: 10 });
    // no half-written order: the losers left nothing behind
    expect(await db.order.count({ where: { distributionId: g.distributionId } })).toBe(10);
    const baskets = (await db.order.findMany({ where: { distributionId: g.distributionId }, select: { basketNumber: true } })).map((o) => o.basketNumber).sort((a, b) => a! - b!);
    expect(baskets).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('says how many are left when an order asks for more', async () => {
    const g = await createTestGroup(db, { croissantStock: 3 });
    await expect(
      orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.croissant, quantity: 4 }] }),
    ).rejects.toMatchObject({ code: 'out_of_stock', remaining: 3, productName: 'Croissant' });
  });
});

describe('stock under concurrent confirmations', () => {
  it('confirms exactly 10 of 50 drafts on a stock of 10, with basket numbers 1 to 10', async () => {
    const g = await createTestGroup(db, { croissantStock: 10 });
    const customers = await Promise.all(Array.from({ length: 50 }, () => newCustomer(g)));
    const drafts = await Promise.all(
      customers.map((c) =>
        orders.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: g.products.croissant, quantity: 1 }, { productId: g.products.baguette, quantity: 1 }] }),
      ),
    );
    const results = await Promise.allSettled(drafts.map((d) => orders.confirmOrder(d.id)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(10);
    for (const r of lost) expect(r.reason).toMatchObject({ code: 'out_of_stock', productName: 'Croissant', remaining: 0 });
    const stock = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    expect(stock).toMatchObject({ available: 10, reserved: 10 });
    const confirmed = await db.order.findMany({ where: { distributionId: g.distributionId, status: 'confirmed' }, select: { id: true, basketNumber: true } });
    expect(confirmed.map((o) => o.basketNumber).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    // the losers stay drafts, with no number and no event
    expect(await db.order.count({ where: { distributionId: g.distributionId, status: 'draft', basketNumber: null } })).toBe(40);
    expect(await db.outboxEvent.count({ where: { aggregateId: { in: drafts.map((d) => d.id) } } })).toBe(10);
  });

  it('confirms 40 drafts at once, each inside a conversation\'s savepoint, with numbers 1 to 40 and no deadlock', async () => {
    const g = await createTestGroup(db, { croissantStock: 100 });
    const customers = await Promise.all(Array.from({ length: 40 }, () => newCustomer(g)));
    const drafts = await Promise.all(customers.map((c) =>
      orders.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: g.products.baguette, quantity: 1 }] })));
    // as an SMS turn does: a transaction, a savepoint around the confirmation, more writes after it
    const results = await Promise.allSettled(drafts.map((d) => db.$transaction(async (tx) => {
      const placed = await withSavepoint(tx, () => orders.confirmOrder(d.id, tx));
      await tx.$executeRaw`UPDATE "Customer" SET "updatedAt" = now() WHERE id = (SELECT "customerId" FROM "Order" WHERE id = ${d.id})`;
      return placed.basketNumber;
    }, { timeout: 30_000, maxWait: 30_000 })));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason).slice(0, 200));
    expect(failed).toEqual([]);
    const numbers = results.map((r) => (r as PromiseFulfilledResult<number | null>).value).sort((a, b) => a! - b!);
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('confirmations, additions and new drafts of one distribution at once, each in a conversation\'s savepoint, all go through (no deadlock)', async () => {
    const g = await createTestGroup(db, { croissantStock: 1000 });
    const cust = () => newCustomer(g);
    const failures: string[] = [];
    for (let round = 0; round < 4; round++) {
      const cs = await Promise.all(Array.from({ length: 60 }, cust));
      const drafts = await Promise.all(cs.slice(0, 20).map((c) => orders.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: g.products.baguette, quantity: 1 }] })));
      const confirmed = await Promise.all(cs.slice(20, 40).map((c) => orders.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] })));
      const inTurn = <T>(fn: (tx: Parameters<Parameters<typeof db.$transaction>[0]>[0]) => Promise<T>) =>
        db.$transaction(async (tx) => {
          const r = await withSavepoint(tx, () => fn(tx));
          await tx.$executeRaw`SELECT 1`;
          return r;
        }, { timeout: 60_000, maxWait: 60_000 });
      const work = [
        ...drafts.map((d) => inTurn((tx) => orders.confirmOrder(d.id, tx))),
        ...confirmed.map((o, i) => inTurn((tx) => orders.addLines(o.id, [{ productId: i % 2 ? g.products.croissant : g.products.comte, quantity: 1 }], tx))),
        ...cs.slice(40).map((c) => inTurn((tx) => orders.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: g.products.croissant, quantity: 1 }] }, tx))),
      ];
      const results = await Promise.allSettled(work);
      failures.push(...results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason).slice(-200)));
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('confirms one draft once when two hands confirm it at the same moment', async () => {
    const g = await createTestGroup(db, { croissantStock: 10 });
    const draft = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: g.products.croissant, quantity: 3 }] });
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => orders.confirmOrder(draft.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(OrderStateError);
    const stock = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    expect(stock.reserved).toBe(3);
    expect(await db.distribution.findUniqueOrThrow({ where: { id: g.distributionId }, select: { nextBasketNumber: true } })).toEqual({ nextBasketNumber: 2 });
    expect(await db.outboxEvent.count({ where: { aggregateId: draft.id } })).toBe(1);
  });

  it('adds lines to a confirmed order within the stock, and refuses beyond it leaving the order as it was', async () => {
    const g = await createTestGroup(db, { croissantStock: 5 });
    const placed = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.croissant, quantity: 2 }] });
    const added = await orders.addLines(placed.id, [{ productId: g.products.croissant, quantity: 1 }, { productId: g.products.comte, quantity: 1 }]);
    expect(added).toMatchObject({ id: placed.id, status: 'confirmed', basketNumber: placed.basketNumber, estimatedCents: 220 + 110 + 520 });
    await expect(orders.addLines(placed.id, [{ productId: g.products.baguette, quantity: 1 }, { productId: g.products.croissant, quantity: 3 }])).rejects.toMatchObject({ code: 'out_of_stock', remaining: 2 });
    const stored = await db.order.findUniqueOrThrow({ where: { id: placed.id }, include: { lines: true } });
    expect(stored.estimatedCents).toBe(850);
    expect(stored.lines.map((l) => [l.productName, l.quantity, l.estimatedGrams]).sort()).toEqual([['Comte', 1, 200], ['Croissant', 1, null], ['Croissant', 2, null]]);
    const stock = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    expect(stock.reserved).toBe(3);
    expect(await db.outboxEvent.findMany({ where: { aggregateId: placed.id }, select: { type: true }, orderBy: { createdAt: 'asc' } })).toEqual([{ type: 'order.confirmed' }, { type: 'order.updated' }]);
  });
});

describe('stock given back under concurrent cancellations', () => {
  it('gives back a cancelled order’s stock once when two hands cancel it at the same moment', async () => {
    const g = await createTestGroup(db, { croissantStock: 10 });
    const other = await newCustomer(g);
    await orders.placeOrder({ groupId: g.groupId, customerId: other.id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.croissant, quantity: 4 }] });
    const placed = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.croissant, quantity: 3 }] });
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => orders.cancelOrder(placed.id, { enforceWindow: true })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(OrderStateError);
    const stock = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    expect(stock.reserved).toBe(4);
    expect(await db.outboxEvent.count({ where: { aggregateId: placed.id, type: 'order.cancelled' } })).toBe(1);
  });

  it('removes lines and gives their stock back, keeping the others', async () => {
    const g = await createTestGroup(db, { croissantStock: 10 });
    const placed = await orders.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.croissant, quantity: 2 }, { productId: g.products.baguette, quantity: 1 }, { productId: g.products.croissant, quantity: 1 }] });
    const updated = await orders.removeLines(placed.id, [g.products.croissant]);
    expect(updated).toMatchObject({ id: placed.id, status: 'confirmed', basketNumber: placed.basketNumber, estimatedCents: 120 });
    expect((await db.orderLine.findMany({ where: { orderId: placed.id } })).map((l) => l.productName)).toEqual(['Baguette tradition']);
    const stock = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    expect(stock.reserved).toBe(0);
    await expect(orders.removeLines(placed.id, [g.products.baguette])).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('what the order use cases cost the database', () => {
  // counted on PostgreSQL (BEGIN/COMMIT left out): they run inside every SMS, voice and console order
  it('a draft in 2 statements, its confirmation in 4 (3 without stocked products), an addition or a removal in 4, a cancellation in 2 to 4', async () => {
    const g = await createTestGroup(db, { croissantStock: 10 });
    const counted = countingDb(url);
    const service = createOrderService({ db: counted.db });
    try {
      const input = { groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms' as const, confirm: false };
      let draftId = '';
      const draft = await counted.statementsOf(async () => {
        draftId = (await service.placeOrder({ ...input, lines: [{ productId: g.products.croissant, quantity: 2 }, { productId: g.products.comte, quantity: 1 }] })).id;
      });
      expect(draft).toHaveLength(2);
      expect(await counted.statementsOf(() => service.confirmOrder(draftId))).toHaveLength(4);

      const c = await newCustomer(g);
      const plain = await service.placeOrder({ ...input, customerId: c.id, lines: [{ productId: g.products.baguette, quantity: 1 }] });
      const confirmation = await counted.statementsOf(() => service.confirmOrder(plain.id));
      expect(confirmation).toHaveLength(3);
      // the distribution's row is taken by the last statement (the update of its counter): held only until the commit
      expect(confirmation.map((q) => /UPDATE "Distribution"/.test(q))).toEqual([false, false, true]);
      // a draft with a stocked product (read, insert, reserve, number, event)
      const c2 = await newCustomer(g);
      expect(await counted.statementsOf(() => service.placeOrder({ ...input, customerId: c2.id, confirm: true, lines: [{ productId: g.products.croissant, quantity: 1 }] }))).toHaveLength(5);
      expect(await counted.statementsOf(() => service.addLines(draftId, [{ productId: g.products.croissant, quantity: 1 }]))).toHaveLength(4);
      // read, give back the stock, delete, event
      expect(await counted.statementsOf(() => service.removeLines(draftId, [g.products.croissant]))).toHaveLength(4);
      // a draft dropped (a new one replaces it): read, cancel
      const c3 = await newCustomer(g);
      const dropped = await service.placeOrder({ ...input, customerId: c3.id, lines: [{ productId: g.products.croissant, quantity: 1 }] });
      expect(await counted.statementsOf(() => service.cancelOrder(dropped.id, { enforceWindow: false }))).toHaveLength(2);
      expect(await counted.statementsOf(() => service.cancelOrder(plain.id, { enforceWindow: true }))).toHaveLength(4);
    } finally {
      await counted.db.$disconnect();
    }
  });
});
