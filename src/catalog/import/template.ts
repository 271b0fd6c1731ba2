// The catalogue template a coordinator downloads from the console (or prints with
// `npm run cli -- catalog template`): French titles, one example of each pricing mode.
import { stringify } from 'csv-stringify/sync';
import { CATALOG_COLUMNS, FRENCH_TITLES } from './columns.js';

type Example = Partial<Record<(typeof CATALOG_COLUMNS)[number], string | number>>;

const EXAMPLES: Example[] = [
  { producer: 'Boulangerie Martin', code: 1, name: 'Baguette tradition', category: 'Pain', unit: 'pièce', price: 1.2, stock: 40, aliases: 'baguette|tradi', vat: 5.5 },
  { producer: 'Ferme des Prés', code: 10, name: 'Œufs plein air', category: 'Œufs', unit: 'pièce', price: 2.4, pack_size: 6, vat: 5.5 },
  { producer: 'Ferme des Prés', code: 11, name: 'Pommes', category: 'Fruits', unit: 'kg', price: 2.8, variable_weight: 'oui', average_weight_g: 180, vat: 5.5 },
  { producer: 'Fromagerie du Val', code: 20, name: 'Comté', category: 'Fromages', unit: '100 g', price: 2.6, variable_weight: 'oui', portion_g: 200, vat: 5.5 },
  { producer: 'Ferme des Prés', code: 30, name: 'Poulet fermier', category: 'Volailles', unit: 'kg', price: 11.5, multi_weigh: 'oui', average_weight_g: 1800, vat: 5.5 },
  { producer: 'Ferme des Prés', code: 40, name: 'Lait cru', category: 'Crèmerie', unit: 'litre', price: 1.4, vat: 5.5 },
];

const titles = CATALOG_COLUMNS.map((c) => FRENCH_TITLES[c]);

/** Excel's French CSV: `;`, decimal commas, UTF-8 with a BOM (Excel then reads the accents right). */
export function catalogTemplateCsv(): string {
  const frenchNumber = (v: string | number | undefined) => (typeof v === 'number' ? String(v).replace('.', ',') : (v ?? ''));
  return '\uFEFF' + stringify([titles, ...EXAMPLES.map((e) => CATALOG_COLUMNS.map((c) => frenchNumber(e[c])))], { delimiter: ';', record_delimiter: '\r\n' });
}

/** The same as an .xlsx workbook (numbers as numbers). */
export async function catalogTemplateXlsx(): Promise<Buffer> {
  const { default: writeExcelFile } = await import('write-excel-file/node');
  const rows = [titles, ...EXAMPLES.map((e) => CATALOG_COLUMNS.map((c) => e[c] ?? null))];
  return writeExcelFile(rows, { columns: titles.map((t) => ({ width: Math.max(10, t.length + 2) })) }).toBuffer();
}
