import type { ProductUnit } from '../pricing.js';

/** What the reader needs to know of a product of the open distribution. */
export interface ReaderProduct {
  id: string;
  code: number;
  name: string;
  aliases: string[];
  category: string;
  unit: ProductUnit;
  packSize: number | null;
  averageWeightGrams: number | null;
  portionGrams: number | null;
  variableWeight: boolean;
  multiWeigh: boolean;
}

/** How a quantity was turned into what the product is sold by, to say so in the reply. */
export type LineNote =
  | { kind: 'packs_rounded'; asked: number; packs: number; packSize: number }
  | { kind: 'weight_to_pieces'; grams: number; pieces: number }
  | { kind: 'pieces_to_weight'; pieces: number; grams: number }
  | { kind: 'portions'; portions: number; portionGrams: number }
  | { kind: 'spelling'; written: string };

export interface ReadLine {
  product: ReaderProduct;
  /** pieces, packs, portions or litres */
  quantity: number;
  /** a weight asked for goods sold by weight */
  requestedGrams: number | null;
  notes: LineNote[];
}

export type ReadQuestion =
  | { kind: 'which_product'; phrase: string; options: ReaderProduct[]; quantity: QuantityAsked }
  | { kind: 'how_many'; phrase: string; product: ReaderProduct | null };

export interface QuantityAsked {
  /** a count (pieces, packs), or null when the text gave a weight or a volume */
  count: number | null;
  grams: number | null;
  litres: number | null;
  packs: boolean;
}

export interface ReadResult {
  lines: ReadLine[];
  questions: ReadQuestion[];
  /** phrases that name nothing in the catalogue */
  unknown: string[];
}
