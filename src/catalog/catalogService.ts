import { recordEvent } from '../orders/events.js';
import type { Db, Tx } from '../platform/db/client.js';
import type { CatalogRow, CatalogRejection } from './csvImport.js';

export interface ImportReport {
  created: number;
  updated: number;
  rejected: CatalogRejection[];
  /** false when nothing was written (rejections, or a dry run) */
  applied: boolean;
}

async function producerId(tx: Tx, groupId: string, name: string, cache: Map<string, string>): Promise<string> {
  const cached = cache.get(name);
  if (cached) return cached;
  const producer = await tx.producer.upsert({
    where: { groupId_name: { groupId, name } },
    create: { groupId, name },
    update: {},
    select: { id: true },
  });
  cache.set(name, producer.id);
  return producer.id;
}

/**
 * Upserts catalogue rows by producer + code, all in one transaction. A code already used by
 * another producer's product is a rejection, and any rejection means nothing is written:
 * a bad row never half-imports a file.
 */
export async function importCatalogRows(
  db: Db,
  groupId: string,
  rows: CatalogRow[],
  opts: { dryRun?: boolean; rejected?: CatalogRejection[] } = {},
): Promise<ImportReport> {
  const rejected = [...(opts.rejected ?? [])];
  const DRY_RUN = Symbol('dry run');
  let created = 0;
  let updated = 0;
  try {
    await db.$transaction(
      async (tx) => {
        const producers = new Map<string, string>();
        const existing = await tx.product.findMany({ where: { groupId }, select: { id: true, code: true, producerId: true } });
        const byCode = new Map(existing.map((p) => [p.code, p]));
        let nextCode = Math.max(0, ...existing.map((p) => p.code), ...rows.map((r) => r.code ?? 0)) + 1;
        for (const row of rows) {
          const pid = await producerId(tx, groupId, row.producer, producers);
          const code = row.code ?? nextCode++;
          const current = byCode.get(code);
          if (current && current.producerId !== pid) {
            rejected.push({ line: row.line, reason: `le code ${code} est celui d'un produit d'un autre producteur` });
            continue;
          }
          const data = {
            name: row.name, category: row.category, unit: row.unit, priceCents: row.priceCents, vatRateBp: row.vatRateBp,
            variableWeight: row.variableWeight, multiWeigh: row.multiWeigh, portionGrams: row.portionGrams, packSize: row.packSize,
            averageWeightGrams: row.averageWeightGrams, stockPerDistribution: row.stock, aliases: row.aliases, active: true,
          };
          if (current) {
            await tx.product.update({ where: { id: current.id }, data });
            updated++;
          } else {
            const p = await tx.product.create({ data: { groupId, producerId: pid, code, ...data }, select: { id: true, code: true, producerId: true } });
            byCode.set(code, p);
            created++;
          }
        }
        if (rejected.length > 0 || opts.dryRun) throw DRY_RUN;
        if (rows.length > 0) await recordEvent(tx, groupId, 'catalog.changed', groupId, { what: 'products' });
      },
      { timeout: 60_000 },
    );
  } catch (err) {
    if (err !== DRY_RUN) throw err;
    return { created, updated, rejected: rejected.sort((a, b) => a.line - b.line), applied: false };
  }
  return { created, updated, rejected, applied: true };
}
