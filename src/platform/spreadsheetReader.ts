// Reads what a coordinator's spreadsheet program saves — a CSV (Excel's French CSV is
// semicolon-separated Windows-1252; LibreOffice and Google Sheets write UTF-8, with or without a
// BOM) or an .xlsx workbook — into a header and string cells. The domain decides what columns mean.
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

export type SpreadsheetEncoding = 'utf-8' | 'utf-8-bom' | 'windows-1252' | 'xlsx';

export interface Spreadsheet {
  /** column titles as written in the file, trimmed */
  header: string[];
  /** the data rows, one string per column (empty string for an empty cell); line = index + 2 */
  rows: string[][];
  encoding: SpreadsheetEncoding;
}

export type SpreadsheetProblem = 'empty' | 'xls' | 'bad-csv' | 'bad-xlsx';

/** A file that is not a readable spreadsheet; src/i18n/imports.ts says it in French. */
export class SpreadsheetError extends Error {
  constructor(
    readonly problem: SpreadsheetProblem,
    readonly detail = '',
  ) {
    super(`${problem}${detail ? `: ${detail}` : ''}`);
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/**
 * Bytes of a text file → text. UTF-8 is tried strictly first: a Windows-1252 "pièce" (0xE8) is not
 * valid UTF-8, so a file that decodes is UTF-8, and one that does not is Excel's Windows-1252
 * (never "pi�ce"). Pure.
 */
export function decodeText(bytes: Buffer): { text: string; encoding: Exclude<SpreadsheetEncoding, 'xlsx'> } {
  if (bytes.subarray(0, 3).equals(UTF8_BOM)) return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8-bom' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252' };
  }
}

/** `;` when the header line has at least as many semicolons as commas (French Excel), else `,`. */
function delimiterOf(text: string): ';' | ',' {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  return (first.match(/;/g)?.length ?? 0) >= (first.match(/,/g)?.length ?? 0) ? ';' : ',';
}

function fromGrid(grid: string[][], encoding: SpreadsheetEncoding): Spreadsheet {
  // rows that are entirely empty (a spreadsheet's trailing lines) are not data
  const nonEmpty = (r: string[]) => r.some((c) => c !== '');
  const [header = [], ...rest] = grid;
  const width = header.length;
  const rows: string[][] = [];
  for (const r of rest) {
    // keep line numbers true to the file: an empty row in the middle still counts
    rows.push(Array.from({ length: Math.max(width, r.length) }, (_, i) => r[i] ?? ''));
  }
  while (rows.length > 0 && !nonEmpty(rows[rows.length - 1]!)) rows.pop();
  return { header: header.map((h) => h.trim()), rows, encoding };
}

export function readCsv(bytes: Buffer): Spreadsheet {
  const { text, encoding } = decodeText(bytes);
  let grid: string[][];
  try {
    grid = parse(text, { delimiter: delimiterOf(text), trim: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    throw new SpreadsheetError('bad-csv', (err as Error).message);
  }
  return fromGrid(grid, encoding);
}

/** A cell of the first sheet as text. Numbers are read as written in the file (no float noise). */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  return String(value).trim();
}

export async function readXlsx(bytes: Buffer): Promise<Spreadsheet> {
  let data: unknown[][];
  try {
    // parseNumber keeps "2.6" as "2.6" instead of 2.6000000000000001 after float arithmetic
    // loaded when a workbook comes, not by every CLI command
    const { readSheet } = await import('read-excel-file/node');
    data = (await readSheet(bytes, { parseNumber: (s: string) => s })) as unknown[][];
  } catch (err) {
    throw new SpreadsheetError('bad-xlsx', (err as Error).message);
  }
  return fromGrid(data.map((r) => r.map(cellText)), 'xlsx');
}

/** A CSV or an .xlsx, told apart by their first bytes (not the file name, which may lie). */
export async function readSpreadsheet(bytes: Buffer): Promise<Spreadsheet> {
  if (bytes.length === 0) throw new SpreadsheetError('empty');
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) return readXlsx(bytes);
  if (bytes.subarray(0, 4).equals(OLE2_MAGIC)) {
    throw new SpreadsheetError('xls');
  }
  return readCsv(bytes);
}
