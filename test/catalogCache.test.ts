// The catalogue cache of every process hears of a change once `catalog.changed` is handled, not
// a TTL later; the TTL still bounds staleness when the news is lost; every writer records it.
import crypto from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../src/app.js';
import { watchCatalogChanges } from '../src/catalog/catalogChanges.js';
import { importCatalogRows } from '../src/catalog/catalogService.js';
import { parseCatalogCsv } from '../src/catalog/csvImport.js';
import { openAndNextDistribution } from '../src/catalog/distributions.js';
import { createCatalogCache, openAndNextAt, type CatalogCache } from '../src/catalog/openCatalog.js';
import { saveCatalogProduct, type ProductRecord } from '../src/catalog/products.js';
import { addRelayPoint } from '../src/catalog/relays.js';
import { SYSTEM } from '../src/orders/actor.js';
import { cancelDistribution, closeDistribution, createDistribution, markDistributionDone, rescheduleDistribution } from '../src/orders/distributionLifecycle.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, type TestGroup } from './helpers/fixtures.js';
import { startTestPipeline, waitFor } from './helpers/pipeline.js';

const log = createLogger('silent');
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const PASSWORD = 'correct horse battery';
let db: Db;
let g: TestGroup;
const prefix = `t-${crypto.randomBytes(4).toString('hex')}`;
const connections: Redis[] = [];
let pipeline: Awaited<ReturnType<typeof startTestPipeline>> | undefined;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
});

afterAll(async () => {
  await pipeline?.stop();
  for (const c of connections) c.disconnect();
});

function redis(): Redis {
  const c = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  c.on('error', () => {});
  connections.push(c);
  return c;
}

/** A process's cache, listening on a connection of its own; the TTL is long so only the event can evict. */
async function processCache(opts: { ttlMs?: number } = {}): Promise<{ catalogs: CatalogCache; subscriber: Redis }> {
  const catalogs = createCatalogCache({ ttlMs: opts.ttlMs ?? HOUR });
  const subscriber = redis();
  await watchCatalogChanges({ subscriber, prefix, catalogs, log }).subscribed;
  return { catalogs, subscriber };
}

const priceOf = async (catalogs: CatalogCache, productId: string) => (await catalogs(db, g.groupId)).byId.get(productId)?.priceCents;

describe('the catalogue cache across processes', () => {
  it("a coordinator's price change is seen at once by the console's process, and by another process once the event is handled", async () => {
    const web = await processCache();
    const other = await processCache();
    const email = `coord-${crypto.randomBytes(3).toString('hex')}@panier.test`;
    await db.staffUser.create({ data: { groupId: g.groupId, role: 'coordinator', name: 'Coordination', email, passwordHash: await hash(PASSWORD) } });
    const app = createApp({
      config: { publicBaseUrl: 'http://panier.test', twilio: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'catalog-test-token', apiBaseUrl: undefined, demoMode: false } },
      db, redis: redis(), log, redisPrefix: `${prefix}:`, anonymousPerMinute: 10_000, catalogs: web.catalogs,
    });
    expect(await priceOf(web.catalogs, g.products.baguette)).toBe(120);
    expect(await priceOf(other.catalogs, g.products.baguette)).toBe(120);

    const agent = request.agent(app);
    const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const loginPage = await agent.get('/console/login');
    const login = await agent.post('/console/login').type('form').send({ email, password: PASSWORD, _csrf: csrfOf(loginPage.text) });
    expect(login.status).toBe(303);
    const cataloguePage = await agent.get('/console/catalogue');
    const csrf = csrfOf(cataloguePage.text);
    await agent.post(`/console/catalogue/products/${g.products.baguette}`).type('form')
      .send({ _csrf: csrf, producerId: g.producerId, code: '1', name: 'Baguette tradition', category: 'Divers', unit: 'piece', price: '1,35', active: '1' })
      .expect(303);

    // the console's own process dropped its entry when the change committed
    expect(await priceOf(web.catalogs, g.products.baguette)).toBe(135);
    // no worker yet: the other process cannot know
    expect(await priceOf(other.catalogs, g.products.baguette)).toBe(120);
    const event = await db.outboxEvent.findFirstOrThrow({ where: { groupId: g.groupId, type: 'catalog.changed' }, orderBy: { createdAt: 'desc' } });
    expect(event.payload).toEqual({ what: 'products' });

    pipeline = await startTestPipeline(db, log, { prefix });
    await waitFor('the other process to see the new price', async () => (await priceOf(other.catalogs, g.products.baguette)) === 135, 10_000);
    await waitFor('the event marked processed', async () => (await db.outboxEvent.findUniqueOrThrow({ where: { id: event.id } })).processedAt);
  });

  it("a new distribution reaches another process's open and next distributions through the same event", async () => {
    pipeline ??= await startTestPipeline(db, log, { prefix });
    const other = await processCache();
    const now = new Date();
    const before = openAndNextAt(await other.catalogs(db, g.groupId), now);
    expect(before.open?.id).toBe(g.distributionId);
    // a second window that opened earlier: the one residents order for now
    const earlier = await db.$transaction((tx) => createDistribution(tx, {
      groupId: g.groupId, relayPointId: g.relayId,
      opensAt: new Date(now.getTime() - 2 * DAY), closesAt: new Date(now.getTime() + DAY), pickupStart: new Date(now.getTime() + 2 * DAY), pickupEnd: new Date(now.getTime() + 2 * DAY + HOUR),
    }, SYSTEM));
    await waitFor('the other process to see the new distribution', async () => openAndNextAt(await other.catalogs(db, g.groupId), now).open?.id === earlier.id, 10_000);
    expect(openAndNextAt(await other.catalogs(db, g.groupId), now)).toEqual(await openAndNextDistribution(db, g.groupId, now).then(({ open, next }) => ({ open: open && pick(open), next: next && pick(next) })));
    await db.$transaction((tx) => cancelDistribution(tx, { groupId: g.groupId, distributionId: earlier.id }, SYSTEM, new Date()));
    await waitFor('the cancelled distribution gone from the other process', async () => openAndNextAt(await other.catalogs(db, g.groupId), now).open?.id === g.distributionId, 10_000);
  });

  it('a lost message: the TTL still bounds how long a change goes unseen', async () => {
    let clock = 1_000_000;
    const catalogs = createCatalogCache({ ttlMs: 60_000, now: () => clock });
    const first = await priceOf(catalogs, g.products.croissant);
    // written behind the cache's back, as if the pub/sub message never came
    await db.product.update({ where: { id: g.products.croissant }, data: { priceCents: first! + 10 } });
    clock += 59_000;
    expect(await priceOf(catalogs, g.products.croissant)).toBe(first);
    clock += 1_001;
    expect(await priceOf(catalogs, g.products.croissant)).toBe(first! + 10);
  });

  it('a listener that reconnects drops every cached catalogue (messages sent meanwhile are lost)', async () => {
    const { catalogs, subscriber } = await processCache();
    const first = await priceOf(catalogs, g.products.oeufs);
    await db.product.update({ where: { id: g.products.oeufs }, data: { priceCents: first! + 5 } });
    expect(await priceOf(catalogs, g.products.oeufs)).toBe(first);
    subscriber.disconnect(true);
    await waitFor('the cache dropped on reconnection', async () => (await priceOf(catalogs, g.products.oeufs)) === first! + 5, 10_000);
  });

  it('a load that read the rows before a change committed is not kept', async () => {
    const catalogs = createCatalogCache({ ttlMs: HOUR });
    const first = (await db.product.findUniqueOrThrow({ where: { id: g.products.pommes } })).priceCents;
    let read!: () => void;
    let release!: () => void;
    const readDone = new Promise<void>((r) => (read = r));
    const gate = new Promise<void>((r) => (release = r));
    // the real database, its product rows read before the change and handed back after its eviction
    const slow = {
      product: { findMany: async (args: object) => { const rows = await db.product.findMany(args as never); read(); await gate; return rows; } },
      distribution: db.distribution,
    } as unknown as Db;
    const straddling = catalogs(slow, g.groupId);
    await readDone;
    await db.product.update({ where: { id: g.products.pommes }, data: { priceCents: first + 7 } });
    catalogs.evict(g.groupId);
    release();
    // its caller gets what it read; the cache does not keep it
    expect((await straddling).byId.get(g.products.pommes)!.priceCents).toBe(first);
    expect(await priceOf(catalogs, g.products.pommes)).toBe(first + 7);
  });

  it('a failed load is not kept: the next read tries again', async () => {
    const catalogs = createCatalogCache();
    const broken = { product: { findMany: () => Promise.reject(new Error('database down')) }, distribution: { findMany: () => Promise.resolve([]) } } as unknown as Db;
    await expect(catalogs(broken, g.groupId)).rejects.toThrow('database down');
    expect((await catalogs(db, g.groupId)).byId.has(g.products.baguette)).toBe(true);
  });
});

const pick = (d: { id: string; groupId: string; relayPointId: string; status: string; opensAt: Date; closesAt: Date; pickupStart: Date; pickupEnd: Date; deliveryStart: Date | null; deliveryEnd: Date | null; relayPoint: { id: string; groupId: string; name: string; address: string; notes: string | null } }) => ({
  id: d.id, groupId: d.groupId, relayPointId: d.relayPointId, status: d.status, opensAt: d.opensAt, closesAt: d.closesAt,
  pickupStart: d.pickupStart, pickupEnd: d.pickupEnd, deliveryStart: d.deliveryStart, deliveryEnd: d.deliveryEnd, relayPoint: d.relayPoint,
});

describe('openAndNextAt', () => {
  it('answers what openAndNextDistribution reads from the database, at every instant around the windows', async () => {
    const other = await createTestGroup(db);
    await db.distribution.deleteMany({ where: { groupId: other.groupId } });
    const t0 = Date.UTC(2026, 11, 1, 12);
    const at = (h: number) => new Date(t0 + h * HOUR);
    // windows in hours from t0: overlapping, tied openings (the id decides), more than three ahead,
    // closed and cancelled ones that never count
    const windows: [number, number, 'scheduled' | 'closed' | 'cancelled' | 'done'][] = [
      [0, 10, 'scheduled'], [5, 20, 'scheduled'], [5, 15, 'scheduled'], [5, 12, 'scheduled'], [8, 30, 'closed'],
      [12, 40, 'scheduled'], [25, 50, 'cancelled'], [30, 45, 'scheduled'], [60, 70, 'scheduled'], [61, 62, 'done'],
    ];
    const instants = new Set<number>([-5, 75]);
    for (const [opens, closes, status] of windows) {
      await db.distribution.create({ data: { groupId: other.groupId, relayPointId: other.relayId, status, opensAt: at(opens), closesAt: at(closes), pickupStart: at(closes + 1), pickupEnd: at(closes + 3) } });
      for (const h of [opens, closes]) for (const ms of [-1, 0, 1]) instants.add(h * HOUR + ms);
    }
    const catalog = await createCatalogCache()(db, other.groupId);
    for (const offset of [...instants].sort((a, b) => a - b)) {
      const now = new Date(t0 + offset);
      const fromDb = await openAndNextDistribution(db, other.groupId, now);
      const fromCache = openAndNextAt(catalog, now);
      expect({ at: offset, open: fromCache.open?.id ?? null, next: fromCache.next?.id ?? null }).toEqual({ at: offset, open: fromDb.open?.id ?? null, next: fromDb.next?.id ?? null });
    }
  });
});

describe('every change to what residents are offered records catalog.changed', () => {
  let h: TestGroup;
  beforeAll(async () => {
    h = await createTestGroup(db);
  });
  const changes = () => db.outboxEvent.findMany({ where: { groupId: h.groupId, type: 'catalog.changed' }, orderBy: { createdAt: 'asc' }, select: { payload: true, aggregateId: true } });

  async function expectOneMore(what: 'products' | 'relays' | 'distributions', change: () => Promise<unknown>) {
    const before = (await changes()).length;
    await change();
    const after = await changes();
    expect(after.length, what).toBe(before + 1);
    expect(after.at(-1)).toEqual({ payload: { what }, aggregateId: h.groupId });
  }

  it('products: saved by hand (new and edited) and imported; a dry run or a refused file records nothing', async () => {
    const product: ProductRecord = { producerId: h.producerId, code: 77, name: 'Miel', category: 'Epicerie', unit: 'piece', priceCents: 650, portionGrams: null, packSize: null, averageWeightGrams: null };
    await expectOneMore('products', () => db.$transaction((tx) => saveCatalogProduct(tx, { groupId: h.groupId, productId: null }, product, SYSTEM)));
    await expectOneMore('products', () => db.$transaction((tx) => saveCatalogProduct(tx, { groupId: h.groupId, productId: h.products.baguette }, { ...product, code: 1, name: 'Baguette', stockPerDistribution: 40 }, SYSTEM)));
    const csv = 'producer;code;name;category;unit;price;variable_weight;multi_weigh;portion_g;pack_size;average_weight_g;stock;aliases;vat\nFerme test;78;Confiture;Epicerie;piece;4,20;;;;;;;;\n';
    const rows = parseCatalogCsv(csv).rows;
    expect(rows).toHaveLength(1);
    await expectOneMore('products', () => importCatalogRows(db, h.groupId, rows));
    const before = (await changes()).length;
    expect((await importCatalogRows(db, h.groupId, rows, { dryRun: true })).applied).toBe(false);
    expect((await importCatalogRows(db, h.groupId, rows, { rejected: [{ line: 3, reason: 'illisible' }] })).applied).toBe(false);
    expect(await changes()).toHaveLength(before);
  });

  it('relay points', async () => {
    await expectOneMore('relays', () => db.$transaction((tx) => addRelayPoint(tx, { groupId: h.groupId, name: 'Mairie', address: '1 place de la Mairie' }, SYSTEM)));
    const before = (await changes()).length;
    await expect(db.$transaction((tx) => addRelayPoint(tx, { groupId: h.groupId, name: 'Mairie', address: 'ailleurs' }, SYSTEM))).rejects.toMatchObject({ code: 'already_taken' });
    expect(await changes()).toHaveLength(before);
  });

  it('distributions: created, rescheduled, closed, done, cancelled', async () => {
    const now = Date.now();
    const times = { opensAt: new Date(now - DAY), closesAt: new Date(now + DAY), pickupStart: new Date(now + 2 * DAY), pickupEnd: new Date(now + 2 * DAY + HOUR) };
    const create = () => db.$transaction((tx) => createDistribution(tx, { groupId: h.groupId, relayPointId: h.relayId, ...times }, SYSTEM));
    let id = '';
    await expectOneMore('distributions', async () => (id = (await create()).id));
    const ref = () => ({ groupId: h.groupId, distributionId: id });
    await expectOneMore('distributions', () => db.$transaction((tx) => rescheduleDistribution(tx, ref(), { ...times, closesAt: new Date(now + DAY + HOUR), relayPointId: h.relayId }, SYSTEM)));
    await expectOneMore('distributions', () => db.$transaction((tx) => closeDistribution(tx, ref(), SYSTEM, new Date())));
    await expectOneMore('distributions', () => db.$transaction((tx) => markDistributionDone(tx, ref(), SYSTEM, new Date())));
    await create().then((d) => (id = d.id));
    await expectOneMore('distributions', () => db.$transaction((tx) => cancelDistribution(tx, ref(), SYSTEM, new Date())));
  });
});
