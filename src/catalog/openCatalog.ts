import { LRUCache } from 'lru-cache';
import type { Db, Tx } from '../platform/db/client.js';
import { DISTRIBUTION_ORDER } from './distributions.js';
import { createOrderReader, type OrderReader, type ReaderProduct } from './reading/reader.js';
import { windowState } from './window.js';

/**
 * A distribution as the catalogue holds it: only the fields whose every writer records
 * `catalog.changed` (times, status, relay point), not the counters and notice stamps that change
 * with every order or sweep.
 */
export interface CatalogDistribution {
  id: string;
  groupId: string;
  relayPointId: string;
  status: 'scheduled' | 'closed' | 'done' | 'cancelled';
  opensAt: Date;
  closesAt: Date;
  pickupStart: Date;
  pickupEnd: Date;
  deliveryStart: Date | null;
  deliveryEnd: Date | null;
  relayPoint: { id: string; groupId: string; name: string; address: string; notes: string | null };
}

export interface OpenCatalog {
  products: ReaderProduct[];
  byId: Map<string, ReaderProduct & { priceCents: number; stockPerDistribution: number | null; producerName: string }>;
  read: OrderReader;
  /** the group's scheduled distributions, by opensAt (then id): read them with `openAndNextAt` */
  distributions: CatalogDistribution[];
}

/** What a cached catalogue is, and how it is dropped when a change commits. */
export interface CatalogCache {
  (db: Db | Tx, groupId: string): Promise<OpenCatalog>;
  /** Drops the group's catalogue: the next read loads it again. */
  evict(groupId: string): void;
  /** Drops every group's (changes may have been missed: the pub/sub connection came back). */
  clear(): void;
}

const DISTRIBUTION_SELECT = {
  id: true, groupId: true, relayPointId: true, status: true, opensAt: true, closesAt: true,
  pickupStart: true, pickupEnd: true, deliveryStart: true, deliveryEnd: true, relayPoint: true,
} as const;

async function loadCatalog(db: Db | Tx, groupId: string): Promise<OpenCatalog> {
  // one after the other: `db` may be a transaction, which runs one query at a time anyway
  const rows = await db.product.findMany({ where: { groupId, active: true }, orderBy: { code: 'asc' }, include: { producer: { select: { name: true } } } });
  // every scheduled one, whatever the clock: the sweep closes them at closesAt, so they are few,
  // and the reader's own clock decides which are still ahead
  const distributions = await db.distribution.findMany({ where: { groupId, status: 'scheduled' }, orderBy: [...DISTRIBUTION_ORDER], select: DISTRIBUTION_SELECT });
  const products = rows.map((p) => ({
    id: p.id, code: p.code, name: p.name, aliases: p.aliases, category: p.category, unit: p.unit, packSize: p.packSize,
    averageWeightGrams: p.averageWeightGrams, portionGrams: p.portionGrams, variableWeight: p.variableWeight, multiWeigh: p.multiWeigh,
    priceCents: p.priceCents, stockPerDistribution: p.stockPerDistribution, producerName: p.producer.name,
  }));
  return { products, byId: new Map(products.map((p) => [p.id, p])), read: createOrderReader(products), distributions };
}

/**
 * The group's active products, a reader built on them and its scheduled distributions, kept per
 * group until a `catalog.changed` evicts them (src/catalog/catalogChanges.ts). The TTL only bounds
 * staleness when an eviction is lost (a Redis blip); `max` bounds memory across groups.
 */
export function createCatalogCache(opts: { ttlMs?: number; max?: number; now?: () => number } = {}): CatalogCache {
  const now = opts.now ?? (() => performance.now());
  const entries = new LRUCache<string, OpenCatalog>({ max: opts.max ?? 200, ttl: opts.ttlMs ?? 5 * 60_000, ttlResolution: 0, perf: { now } });
  // a load that began before an eviction may have read the old rows: it is returned, not kept
  let evictions = 0;
  // each miss loads on its caller's connection (maybe inside its transaction): a load shared
  // between callers would tie each one to another's transaction and its fate
  const openCatalog = async (db: Db | Tx, groupId: string): Promise<OpenCatalog> => {
    const hit = entries.get(groupId);
    if (hit) return hit;
    const before = evictions;
    const catalog = await loadCatalog(db, groupId);
    if (evictions === before) entries.set(groupId, catalog);
    return catalog;
  };
  return Object.assign(openCatalog, {
    evict: (groupId: string) => {
      evictions++;
      entries.delete(groupId);
    },
    clear: () => {
      evictions++;
      entries.clear();
    },
  });
}

/**
 * The distribution taking orders at `now` (if any) and the next one to come: exactly what
 * `openAndNextDistribution` reads from the database, from the cached catalogue. Pure.
 */
export function openAndNextAt(catalog: Pick<OpenCatalog, 'distributions'>, now: Date): { open: CatalogDistribution | null; next: CatalogDistribution | null } {
  const ahead = catalog.distributions.filter((d) => d.status === 'scheduled' && d.closesAt > now).slice(0, 3);
  return { open: ahead.find((d) => windowState(d, now) === 'open') ?? null, next: ahead[0] ?? null };
}
