// A coordinator's catalogue file as it comes (CSV in any usual encoding, or .xlsx; English or
// French column titles) → checked catalogue rows. The importer (catalogService) writes them.
import { readSpreadsheet, type Spreadsheet, type SpreadsheetEncoding } from '../../platform/spreadsheetReader.js';
import { parseCatalogRecords, type CatalogRecord, type ParsedCatalog } from '../csvImport.js';
import { catalogColumnOf, FRENCH_TITLES, type CatalogColumn } from './columns.js';

export interface ReadCatalog extends ParsedCatalog {
  encoding: SpreadsheetEncoding;
}

const CAGETTE_TITLES = ['productName', 'price'];

/** Spreadsheet rows keyed by our column names (a Cagette export keeps its own). Pure. */
export function catalogRecords(sheet: Spreadsheet): { records: CatalogRecord[]; titles: Map<CatalogColumn, string> } {
  const cagette = CAGETTE_TITLES.every((t) => sheet.header.includes(t));
  const titles = new Map<CatalogColumn, string>();
  const keys = sheet.header.map((title) => {
    if (cagette) return title;
    const column = catalogColumnOf(title);
    // the first column of a kind wins; a second "prix" column is left alone rather than overwrite it
    if (!column || titles.has(column)) return null;
    titles.set(column, title);
    return column;
  });
  const records: CatalogRecord[] = [];
  sheet.rows.forEach((row, i) => {
    if (row.every((c) => c === '')) return; // an empty line between products
    const cells: Record<string, string> = {};
    keys.forEach((k, j) => {
      if (k) cells[k] = row[j] ?? '';
    });
    records.push({ line: i + 2, cells });
  });
  return { records, titles };
}

/** Reads and checks a catalogue file; rejection reasons name the columns as the file titles them. */
export async function readCatalogFile(bytes: Buffer, opts: { cagetteProducer?: string } = {}): Promise<ReadCatalog> {
  const sheet = await readSpreadsheet(bytes);
  const { records, titles } = catalogRecords(sheet);
  const parsed = parseCatalogRecords(records, opts);
  if (records.length === 0 && parsed.rejections.length === 0) {
    // a header without rows, or an unknown header: say which of our columns are missing
    const missing = (['producer', 'code', 'name', 'category', 'unit', 'price'] as const).filter((c) => !titles.has(c));
    if (missing.length > 0 && !CAGETTE_TITLES.every((t) => sheet.header.includes(t))) {
      parsed.rejections.push({ line: 1, reason: `colonnes manquantes : ${missing.join(', ')}` });
    }
  }
  const rename = (reason: string) =>
    reason.startsWith('colonnes manquantes : ')
      ? reason.replace(/[a-z_]+(?=,|$)/g, (c) => FRENCH_TITLES[c as CatalogColumn] ?? c)
      : reason.replace(/^([a-z_]+)(?= )/, (w) => titles.get(w as CatalogColumn) ?? w);
  return { ...parsed, rejections: parsed.rejections.map((r) => ({ ...r, reason: rename(r.reason) })), encoding: sheet.encoding };
}
