import type { Db, Tx } from '../platform/db/client.js';
import { createOrderReader, type OrderReader, type ReaderProduct } from './reading/reader.js';

export interface OpenCatalog {
  products: ReaderProduct[];
  byId: Map<string, ReaderProduct & { priceCents: number; stockPerDistribution: number | null; producerName: string }>;
  read: OrderReader;
}

/**
 * The group's active products and a reader built on them. Building the reader's index costs a
 * little, so it is kept a short while per group: a read cache, not state.
 */
export function createCatalogCache(opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { until: number; catalog: OpenCatalog }>();
  return async function openCatalog(db: Db | Tx, groupId: string): Promise<OpenCatalog> {
    const hit = cache.get(groupId);
    if (hit && hit.until > now()) return hit.catalog;
    const rows = await db.product.findMany({ where: { groupId, active: true }, orderBy: { code: 'asc' }, include: { producer: { select: { name: true } } } });
    const products = rows.map((p) => ({
      id: p.id, code: p.code, name: p.name, aliases: p.aliases, category: p.category, unit: p.unit, packSize: p.packSize,
      averageWeightGrams: p.averageWeightGrams, portionGrams: p.portionGrams, variableWeight: p.variableWeight, multiWeigh: p.multiWeigh,
      priceCents: p.priceCents, stockPerDistribution: p.stockPerDistribution, producerName: p.producer.name,
    }));
    const catalog: OpenCatalog = { products, byId: new Map(products.map((p) => [p.id, p])), read: createOrderReader(products) };
    cache.set(groupId, { until: now() + ttlMs, catalog });
    return catalog;
  };
}

export type CatalogCache = ReturnType<typeof createCatalogCache>;
