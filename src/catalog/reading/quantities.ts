// Quantities and units written the French way. Pure.

const NUMBER_WORDS: Record<string, number> = {
  un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, six: 6, sept: 7, huit: 8, neuf: 9, dix: 10,
  onze: 11, douze: 12, treize: 13, quatorze: 14, quinze: 15, seize: 16, vingt: 20, trente: 30,
};

export function numberWord(word: string): number | undefined {
  return NUMBER_WORDS[word];
}

export const NUMBER_WORD_PATTERN = Object.keys(NUMBER_WORDS).sort((a, b) => b.length - a.length).join('|');

export type UnitKind = 'grams' | 'litres' | 'count' | 'pack';

/** Units as written, to a kind and a factor (grams per unit for weights). */
export function unitOf(word: string): { kind: UnitKind; factor: number } | undefined {
  const w = word.replace(/\.$/, '');
  if (['g', 'gr', 'grs', 'gramme', 'grammes', 'gram', 'grams'].includes(w)) return { kind: 'grams', factor: 1 };
  if (['kg', 'kgs', 'kilo', 'kilos', 'kilogramme', 'kilogrammes', 'k'].includes(w)) return { kind: 'grams', factor: 1000 };
  if (['livre', 'livres'].includes(w)) return { kind: 'grams', factor: 500 };
  if (['l', 'litre', 'litres', 'lt'].includes(w)) return { kind: 'litres', factor: 1 };
  if (['piece', 'pieces', 'pc', 'pcs', 'pce', 'pces', 'tranche', 'tranches', 'unite', 'unites', 'portion', 'portions', 'part', 'parts', 'morceau', 'morceaux', 'bouteille', 'bouteilles', 'pot', 'pots', 'sachet', 'sachets', 'tete', 'tetes'].includes(w)) return { kind: 'count', factor: 1 };
  if (['boite', 'boites', 'paquet', 'paquets', 'pack', 'packs', 'lot', 'lots', 'botte', 'bottes', 'carton', 'cartons', 'plateau', 'plateaux'].includes(w)) return { kind: 'pack', factor: 1 };
  return undefined;
}
