// Finds which product of the catalogue a phrase names: exact names and aliases first, then a
// name or alias fully mentioned, then a word of a name, then a category, then small typos. Pure.
import Fuse from 'fuse.js';
import { contentWords, fold } from './normalize.js';
import type { ReaderProduct } from './types.js';

export type Match =
  | { kind: 'product'; product: ReaderProduct; fuzzy: boolean }
  | { kind: 'ambiguous'; options: ReaderProduct[] }
  | { kind: 'unknown' };

interface Phrase {
  product: ReaderProduct;
  words: string[];
  text: string;
}

/** A product name as people say it: without "(boîte de 6)" or "800 g". */
function speakableName(name: string): string {
  return fold(name)
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\b\d+([.,]\d+)?\s*(g|gr|kg|l|cl|ml)\b/g, ' ')
    .replace(/\bpar \d+\b/g, ' ');
}

const FUZZY_MAX_SCORE = 0.3;
const FUZZY_MARGIN = 0.08;

export function createMatcher(products: ReaderProduct[]) {
  const phrases: Phrase[] = [];
  for (const product of products) {
    for (const raw of [speakableName(product.name), ...product.aliases.map(fold)]) {
      const words = contentWords(raw);
      if (words.length > 0) phrases.push({ product, words, text: words.join(' ') });
    }
  }
  const byCategory = new Map<string, ReaderProduct[]>();
  for (const product of products) {
    const key = contentWords(fold(product.category)).join(' ');
    byCategory.set(key, [...(byCategory.get(key) ?? []), product]);
  }
  const fuse = new Fuse(phrases, { keys: ['text'], includeScore: true, threshold: 0.34, ignoreLocation: true, minMatchCharLength: 2 });

  function best(scored: Map<ReaderProduct, number>): Match {
    const ranked = [...scored.entries()].sort((a, b) => b[1] - a[1]);
    if (ranked.length === 0) return { kind: 'unknown' };
    const top = ranked[0]![1];
    const tied = ranked.filter(([, s]) => s >= top - 1e-9).map(([p]) => p);
    return tied.length === 1 ? { kind: 'product', product: tied[0]!, fuzzy: false } : { kind: 'ambiguous', options: tied };
  }

  return function match(phrase: string): Match {
    const words = contentWords(phrase);
    if (words.length === 0) return { kind: 'unknown' };
    const query = new Set(words);
    const scored = new Map<ReaderProduct, number>();
    const score = (p: ReaderProduct, s: number) => scored.set(p, Math.max(scored.get(p) ?? 0, s));
    // "bag" for "baguette", "camp" for "campagne": an abbreviation of three letters or more
    const mentions = (phraseWord: string, w: string) => phraseWord === w || (w.length >= 3 && phraseWord.startsWith(w));
    for (const ph of phrases) {
      const inQuery = ph.words.every((w) => query.has(w));
      const inPhrase = words.every((w) => ph.words.some((pw) => mentions(pw, w)));
      // the name exactly; a whole name mentioned (longer names win: "pommes de terre" over "pommes");
      // part of a name ("campagne" for "pain de campagne")
      if (inQuery && inPhrase) score(ph.product, 3);
      else if (inQuery) score(ph.product, 2 + ph.words.length / 10);
      else if (inPhrase) score(ph.product, 1 + words.length / ph.words.length / 10);
    }
    if (scored.size > 0) return best(scored);

    const category = byCategory.get(words.join(' '));
    if (category) return category.length === 1 ? { kind: 'product', product: category[0]!, fuzzy: false } : { kind: 'ambiguous', options: category };

    // a typo: only a clear winner counts, a word that looks like several things is unknown
    const found = fuse.search(words.join(' '), { limit: 6 });
    if (found.length === 0) return { kind: 'unknown' };
    const top = found[0]!;
    const runnerUp = found.find((f) => f.item.product !== top.item.product);
    if ((top.score ?? 1) <= FUZZY_MAX_SCORE && (!runnerUp || (runnerUp.score ?? 1) - (top.score ?? 1) >= FUZZY_MARGIN)) {
      return { kind: 'product', product: top.item.product, fuzzy: true };
    }
    return { kind: 'unknown' };
  };
}
