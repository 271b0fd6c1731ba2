import { describe, expect, it } from 'vitest';
import { neutralise, spreadsheetCsv } from './spreadsheet.js';

describe('spreadsheet CSV', () => {
  it('keeps formula-like text as text, and numbers as numbers', () => {
    for (const payload of ['=HYPERLINK("http://x","clic")', '+33612345678', '-1+2', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(String(neutralise(payload)).startsWith("'")).toBe(true);
    }
    expect(neutralise('3 chemin des Vignes')).toBe('3 chemin des Vignes');
    expect(neutralise(-250)).toBe(-250);
    expect(neutralise(null)).toBe('');
  });
  it('writes a BOM and semicolons', () => {
    expect(spreadsheetCsv(['a', 'b'], [['=1', 2]])).toBe("\uFEFFa;b\n'=1;2\n");
  });
});
