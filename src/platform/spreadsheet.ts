// CSV for French Excel: BOM, `;` separators, and no cell that a spreadsheet would run as a formula.
import { stringify } from 'csv-stringify/sync';

export const BOM = '\uFEFF';

/**
 * A text cell that starts like a formula (=, +, -, @, tab, carriage return) is prefixed with an
 * apostrophe: a resident's texted address "=HYPERLINK(…)" stays text (OWASP "CSV injection").
 * Numbers are numbers: a negative amount is not a formula.
 */
export function neutralise(cell: string | number | null | undefined): string | number {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return cell;
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function spreadsheetCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return BOM + stringify([header, ...rows.map((r) => r.map(neutralise))], { delimiter: ';' });
}
