// A correction in what a resident says ("plutôt 1 baguette", "2 au lieu d'une", "non, 3 baguettes"):
// the quantity said last replaces the one before, it is not more of the same. Pure; the SMS
// conversation and the voice menu both use it.
import { fold } from './normalize.js';

const CORRECTION = /\b(plutot|au lieu|finalement|seulement|seule?|en fait|voulais dire|corrig\w*|non)\b/;

/** True when the words correct what was said before. */
export function saysCorrection(text: string): boolean {
  return CORRECTION.test(fold(text).replace(/['’]/g, ' '));
}

/** One line a product: the one said last. */
export function lastSaidOf<T extends { productId: string }>(lines: T[]): T[] {
  return [...new Map(lines.map((l) => [l.productId, l])).values()];
}
