// Text folding shared by the reader: lower case, no accents, œ → oe, typographic quotes → plain.
export function fold(text: string): string {
  return text
    .replace(/[œŒ]/g, 'oe')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[’‘`´]/g, "'")
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** French plural to singular, enough for product words: pommes → pomme, oeufs → oeuf, poireaux → poireau. */
export function singular(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('eaux')) return word.slice(0, -1);
  if (word.endsWith('aux') && word.length > 4) return word.slice(0, -3) + 'al';
  if (word.endsWith('s') || word.endsWith('x')) return word.slice(0, -1);
  return word;
}

const STOP_WORDS = new Set(['de', 'd', 'du', 'des', 'la', 'le', 'les', 'l', 'a', 'au', 'aux', 'en', 'un', 'une', 'pour', 'par', 'avec', 'sans']);

/** Content words of a folded phrase, singular: "pommes de terre" → ["pomme", "terre"]. */
export function contentWords(folded: string): string[] {
  return folded
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !STOP_WORDS.has(w))
    .map(singular);
}
