// Prices of order lines for every pricing mode. Pure functions: integer cents, integer grams.
// Rounding: to the nearest cent, halves rounded up (a 1.005 € amount becomes 1.01 €).

export type ProductUnit = 'piece' | 'kg' | 'g100' | 'litre';

export interface PricedProduct {
  unit: ProductUnit;
  /** price of one unit: a piece (or a pack of packSize), a kilo, 100 g or a litre */
  priceCents: number;
  variableWeight: boolean;
  multiWeigh: boolean;
  portionGrams: number | null;
  packSize: number | null;
  averageWeightGrams: number | null;
}

export interface LineRequest {
  /** pieces, packs, portions or litres */
  quantity: number;
  /** for goods sold by weight, an explicit weight asked for ("500 g de pommes") */
  requestedGrams?: number | null;
}

export interface LineEstimate {
  estimatedCents: number;
  /** weight the estimate is based on, for weighed goods */
  estimatedGrams: number | null;
}

/** Integer division rounded half up, for non-negative numerators. */
export function divRoundHalfUp(numerator: number, denominator: number): number {
  if (!Number.isInteger(numerator) || !Number.isInteger(denominator) || denominator <= 0 || numerator < 0) {
    throw new RangeError(`divRoundHalfUp expects non-negative integers, got ${numerator}/${denominator}`);
  }
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** Grams covered by one priced unit: 1000 for a kilo, 100 for "per 100 g", undefined otherwise. */
export function gramsPerPriceUnit(unit: ProductUnit): number | undefined {
  if (unit === 'kg') return 1000;
  if (unit === 'g100') return 100;
  return undefined;
}

/** A product whose final price is known only after weighing. multiWeigh forces it. */
export function isWeighed(product: PricedProduct): boolean {
  return (product.variableWeight || product.multiWeigh) && gramsPerPriceUnit(product.unit) !== undefined;
}

/** Price of a weight, for products sold by the kilo or per 100 g. */
export function priceOfGrams(product: Pick<PricedProduct, 'unit' | 'priceCents'>, grams: number): number {
  const per = gramsPerPriceUnit(product.unit);
  if (per === undefined) throw new RangeError(`product sold by ${product.unit} has no price per weight`);
  return divRoundHalfUp(product.priceCents * grams, per);
}

/**
 * Weight that one ordered unit stands for, for goods sold by weight: the standard portion
 * (cheese), else the average weight of a piece (a chicken, a melon), else the price unit itself.
 */
export function gramsPerOrderedUnit(product: PricedProduct): number {
  const per = gramsPerPriceUnit(product.unit);
  if (per === undefined) throw new RangeError(`product sold by ${product.unit} is not weighed`);
  return product.portionGrams ?? product.averageWeightGrams ?? per;
}

export function estimateLine(product: PricedProduct, request: LineRequest): LineEstimate {
  const { quantity } = request;
  if (!Number.isInteger(quantity) || quantity <= 0) throw new RangeError(`quantity must be a positive integer, got ${quantity}`);
  const per = gramsPerPriceUnit(product.unit);
  if (per === undefined) {
    // by the piece (a pack counts as one unit: its price is the pack's) or by the litre
    return { estimatedCents: product.priceCents * quantity, estimatedGrams: null };
  }
  const grams = request.requestedGrams && request.requestedGrams > 0 ? request.requestedGrams : quantity * gramsPerOrderedUnit(product);
  return { estimatedCents: priceOfGrams(product, grams), estimatedGrams: grams };
}

/**
 * Final price once weighed. Multi-weigh products carry one weight per piece; other weighed goods
 * one total weight. Goods that are not weighed keep their estimate.
 */
export function finalLineCents(product: PricedProduct, request: LineRequest, realWeightsGrams: readonly number[]): number {
  if (!isWeighed(product)) return estimateLine(product, request).estimatedCents;
  if (realWeightsGrams.length === 0) throw new RangeError('a weighed line needs its real weight');
  if (realWeightsGrams.some((g) => !Number.isInteger(g) || g < 0)) throw new RangeError('weights are non-negative integer grams');
  if (product.multiWeigh && realWeightsGrams.length !== request.quantity) {
    throw new RangeError(`multi-weigh line of ${request.quantity} pieces needs ${request.quantity} weights, got ${realWeightsGrams.length}`);
  }
  const total = realWeightsGrams.reduce((a, b) => a + b, 0);
  return priceOfGrams(product, total);
}

/** VAT included in a VAT-inclusive amount (rate in basis points: 550 = 5.5 %). */
export function vatIncludedCents(amountCents: number, vatRateBp: number): number {
  return amountCents - divRoundHalfUp(amountCents * 10_000, 10_000 + vatRateBp);
}

/** Validates the combination of pricing fields a product may carry; returns the problems found. */
export function pricingProblems(p: PricedProduct): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(p.priceCents) || p.priceCents < 0) problems.push('le prix doit être un montant positif');
  const weighedUnit = gramsPerPriceUnit(p.unit) !== undefined;
  if ((p.variableWeight || p.multiWeigh) && !weighedUnit) problems.push('seuls les produits vendus au kilo ou aux 100 g sont pesés');
  if (p.packSize !== null && p.unit !== 'piece') problems.push('un lot ne concerne que les produits vendus à la pièce');
  if (p.packSize !== null && (!Number.isInteger(p.packSize) || p.packSize < 2)) problems.push('un lot compte au moins 2 pièces');
  if (p.portionGrams !== null && (!weighedUnit || p.portionGrams <= 0)) problems.push('une portion ne concerne que les produits vendus au poids');
  if (p.averageWeightGrams !== null && p.averageWeightGrams <= 0) problems.push('le poids moyen doit être positif');
  if (p.multiWeigh && p.averageWeightGrams === null) problems.push('un produit pesé pièce par pièce demande un poids moyen par pièce');
  return problems;
}
