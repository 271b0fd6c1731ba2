// Loads a labelled corpus of order texts and scores the reader on it. Shared by `npm run eval:sms`
// and the test that holds the goal.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOrderReader, type ReadResult, type ReaderProduct } from '../../src/catalog/reading/reader.js';
import { DEMO_PRODUCTS } from '../../src/demo/demoData.js';

export interface CorpusCase {
  line: number;
  text: string;
  expected: string[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The lines of a labelled corpus file: "text | label", comments (#) and blank lines left out. */
export function labelledLines(file: string): { line: number; text: string; label: string }[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((raw, i) => ({ raw, line: i + 1 }))
    .filter(({ raw }) => raw.trim() && !raw.startsWith('#'))
    .map(({ raw, line }) => {
      const cut = raw.lastIndexOf('|');
      if (cut < 0) throw new Error(`corpus line ${line} has no "|"`);
      return { line, text: raw.slice(0, cut), label: raw.slice(cut + 1) };
    });
}

export function loadCorpus(file = path.join(root, 'test', 'corpus', 'sms-orders.txt')): CorpusCase[] {
  return labelledLines(file).map(({ line, text, label }) => {
    const expected = label.trim();
    return { line, text: text.trim().replace(/\\n/g, '\n'), expected: expected === '-' ? [] : expected.split(/\s+/).sort() };
  });
}

/** The demo catalogue as the reader sees it (code as id). */
export function demoReaderProducts(): ReaderProduct[] {
  return DEMO_PRODUCTS.map((p) => ({
    id: String(p.code), code: p.code as number, name: p.name, aliases: p.aliases, category: p.category, unit: p.unit,
    packSize: p.packSize, averageWeightGrams: p.averageWeightGrams, portionGrams: p.portionGrams, variableWeight: p.variableWeight, multiWeigh: p.multiWeigh,
  }));
}

/** A reading in the corpus notation: 1x2, 10@1000, ?, ! */
export function notation(result: ReadResult): string[] {
  return [
    ...result.lines.map((l) => (l.requestedGrams ? `${l.product.code}@${l.requestedGrams}` : `${l.product.code}x${l.quantity}`)),
    ...result.questions.map(() => '?'),
    ...result.unknown.map(() => '!'),
  ].sort();
}

export interface Score {
  total: number;
  exact: number;
  failures: { line: number; text: string; expected: string[]; got: string[] }[];
}

export function scoreReader(cases: CorpusCase[], transform: (text: string) => string = (t) => t): Score {
  const read = createOrderReader(demoReaderProducts());
  const failures: Score['failures'] = [];
  for (const c of cases) {
    const got = notation(read(transform(c.text)));
    if (got.join(' ') !== c.expected.join(' ')) failures.push({ line: c.line, text: c.text, expected: c.expected, got });
  }
  return { total: cases.length, exact: cases.length - failures.length, failures };
}
