// Reads a catalogue CSV (our columns, or a Cagette product export) into validated rows. Pure.
import { parse } from 'csv-parse/sync';
import { pricingProblems, type ProductUnit } from './pricing.js';
import { fold as foldText } from './reading/normalize.js';

export interface CatalogRow {
  /** line number in the file (header = 1) */
  line: number;
  producer: string;
  /** null: a code is assigned at import (Cagette refs that are not numbers) */
  code: number | null;
  name: string;
  category: string;
  unit: ProductUnit;
  priceCents: number;
  variableWeight: boolean;
  multiWeigh: boolean;
  portionGrams: number | null;
  packSize: number | null;
  averageWeightGrams: number | null;
  stock: number | null;
  aliases: string[];
  vatRateBp: number;
}

export interface CatalogRejection {
  line: number;
  reason: string;
}

export interface ParsedCatalog {
  format: 'panier' | 'cagette';
  rows: CatalogRow[];
  rejections: CatalogRejection[];
}

const PANIER_COLUMNS = ['producer', 'code', 'name', 'category', 'unit', 'price'] as const;
const CAGETTE_COLUMNS = ['productName', 'price'] as const;

class RowError extends Error {}

const fold = (s: string) => foldText(s).trim();

export function parseUnit(raw: string): ProductUnit {
  const u = fold(raw).replace(/\s+/g, '').replace(/\.$/, '');
  if (['piece', 'pieces', 'pc', 'pce', 'unite', 'u', 'unit'].includes(u)) return 'piece';
  if (['kg', 'kilo', 'kilos', 'kilogramme', 'kilogram'].includes(u)) return 'kg';
  if (['100g', '100gr', '100grammes', 'g100'].includes(u)) return 'g100';
  if (['l', 'litre', 'litres', 'liter'].includes(u)) return 'litre';
  throw new RowError(`unité inconnue "${raw}" (piece, kg, 100g ou litre)`);
}

/** "1,20", "1.20 €", "12" → cents. */
export function parsePriceCents(raw: string): number {
  const s = raw.replace(/€|eur/gi, '').replace(/\s/g, '');
  const m = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m) throw new RowError(`prix "${raw}" : pas un montant en euros`);
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

export function parseBoolean(raw: string | undefined, column: string): boolean {
  const v = fold(raw ?? '');
  if (['', '0', 'non', 'no', 'false', 'faux', 'n'].includes(v)) return false;
  if (['1', 'oui', 'yes', 'true', 'vrai', 'o', 'y'].includes(v)) return true;
  throw new RowError(`${column} "${raw}" : oui ou non attendu (0/1, oui/non)`);
}

function optionalInt(raw: string | undefined, column: string, { min = 0 } = {}): number | null {
  const v = (raw ?? '').trim().replace(',', '.');
  if (v === '') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new RowError(`${column} "${raw}" : un nombre entier attendu${min > 0 ? `, au moins ${min}` : ''}`);
  return n;
}

/** "5,5", "5.5 %", "20" → basis points; empty → 5.5 % (food). */
export function parseVatBp(raw: string | undefined): number {
  const v = (raw ?? '').replace('%', '').replace(',', '.').trim();
  if (v === '') return 550;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 30) throw new RowError(`TVA "${raw}" : un taux en pourcentage attendu`);
  return Math.round(n * 100);
}

function readRecords(text: string): Record<string, string>[] {
  const withoutBom = text.replace(/^\uFEFF/, '');
  const firstLine = withoutBom.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  return parse(withoutBom, { columns: (h: string[]) => h.map((c) => c.trim()), delimiter, skip_empty_lines: true, trim: true, relax_column_count: true });
}

function panierRow(r: Record<string, string>, line: number): CatalogRow {
  const required = (c: string) => {
    const v = (r[c] ?? '').trim();
    if (!v) throw new RowError(`${c} est vide`);
    return v;
  };
  const code = optionalInt(required('code'), 'code', { min: 1 });
  const multiWeigh = parseBoolean(r.multi_weigh, 'multi_weigh');
  return {
    line,
    producer: required('producer'),
    code,
    name: required('name'),
    category: required('category'),
    unit: parseUnit(required('unit')),
    priceCents: parsePriceCents(required('price')),
    // multi-weigh forces weighing
    variableWeight: parseBoolean(r.variable_weight, 'variable_weight') || multiWeigh,
    multiWeigh,
    portionGrams: optionalInt(r.portion_g, 'portion_g', { min: 1 }),
    packSize: optionalInt(r.pack_size, 'pack_size', { min: 2 }),
    averageWeightGrams: optionalInt(r.average_weight_g, 'average_weight_g', { min: 1 }),
    stock: optionalInt(r.stock, 'stock'),
    aliases: (r.aliases ?? '').split('|').map((a) => a.trim()).filter(Boolean),
    vatRateBp: parseVatBp(r.vat),
  };
}

function cagetteRow(r: Record<string, string>, line: number, producer: string): CatalogRow {
  const name = (r.productName ?? '').trim();
  if (!name) throw new RowError('productName est vide');
  const unit = fold(r.unit ?? '');
  const qt = Number((r.qt ?? '1').replace(',', '.') || '1');
  const bulk = parseBoolean(r.floatQt, 'floatQt');
  let mapped: Pick<CatalogRow, 'unit' | 'packSize' | 'variableWeight'>;
  if ((unit === 'kilogram' || unit === 'kg') && qt === 1) mapped = { unit: 'kg', packSize: null, variableWeight: bulk };
  else if ((unit === 'gram' || unit === 'g') && qt === 100) mapped = { unit: 'g100', packSize: null, variableWeight: bulk };
  else if ((unit === 'litre' || unit === 'l') && qt === 1) mapped = { unit: 'litre', packSize: null, variableWeight: false };
  // a box of 12 eggs, a 500 g jar…: sold by the piece
  else mapped = { unit: 'piece', packSize: unit === 'piece' && Number.isInteger(qt) && qt >= 2 ? qt : null, variableWeight: false };
  const ref = (r.ref ?? '').trim();
  return {
    line,
    producer,
    code: /^\d+$/.test(ref) && Number(ref) > 0 ? Number(ref) : null,
    name,
    category: (r.category ?? '').trim() || producer,
    ...mapped,
    priceCents: parsePriceCents(r.price ?? ''),
    multiWeigh: false,
    portionGrams: null,
    averageWeightGrams: null,
    stock: optionalInt(r.stock ? String(Math.floor(Number(r.stock.replace(',', '.')))) : '', 'stock'),
    aliases: [],
    vatRateBp: parseVatBp(r.vat),
  };
}

/**
 * Parses a catalogue file. Every row is checked; problems are reported with their line number.
 * A Cagette export (one producer's catalogue) needs the producer's name.
 */
export function parseCatalogCsv(text: string, opts: { cagetteProducer?: string } = {}): ParsedCatalog {
  return parseCatalogRecords(readRecords(text).map((cells, i) => ({ line: i + 2, cells })), opts);
}

/** One data row of a spreadsheet, by column name, with its line number in the file. */
export interface CatalogRecord {
  line: number;
  cells: Record<string, string>;
}

/** The rows of a CSV or a workbook (src/catalog/import/) checked one by one. */
export function parseCatalogRecords(records: CatalogRecord[], opts: { cagetteProducer?: string } = {}): ParsedCatalog {
  const header = Object.keys(records[0]?.cells ?? {});
  const isCagette = CAGETTE_COLUMNS.every((c) => header.includes(c));
  const rows: CatalogRow[] = [];
  const rejections: CatalogRejection[] = [];
  if (!isCagette) {
    const missing = PANIER_COLUMNS.filter((c) => !header.includes(c));
    if (records.length > 0 && missing.length > 0) {
      return { format: 'panier', rows, rejections: [{ line: 1, reason: `colonnes manquantes : ${missing.join(', ')}` }] };
    }
  } else if (!opts.cagetteProducer) {
    return { format: 'cagette', rows, rejections: [{ line: 1, reason: 'un export Cagette demande le nom du producteur (--producer)' }] };
  }
  const seenCodes = new Map<number, number>();
  for (const { line, cells: r } of records) {
    try {
      const row = isCagette ? cagetteRow(r, line, opts.cagetteProducer as string) : panierRow(r, line);
      const problems = pricingProblems(row);
      if (problems.length > 0) throw new RowError(problems.join('; '));
      if (row.code !== null) {
        const previous = seenCodes.get(row.code);
        if (previous !== undefined) throw new RowError(`code ${row.code} déjà utilisé ligne ${previous}`);
        seenCodes.set(row.code, line);
      }
      rows.push(row);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      rejections.push({ line, reason: err.message });
    }
  }
  return { format: isCagette ? 'cagette' : 'panier', rows, rejections };
}
