import { describe, expect, it } from 'vitest';
import { divRoundHalfUp, estimateLine, finalLineCents, pricingProblems, vatIncludedCents, type PricedProduct } from './pricing.js';

const base: PricedProduct = { unit: 'piece', priceCents: 120, variableWeight: false, multiWeigh: false, portionGrams: null, packSize: null, averageWeightGrams: null };
const baguette = base;
const eggs6: PricedProduct = { ...base, priceCents: 240, packSize: 6 };
const apples: PricedProduct = { ...base, unit: 'kg', priceCents: 280, variableWeight: true, averageWeightGrams: 180 };
const potatoes: PricedProduct = { ...base, unit: 'kg', priceCents: 190, variableWeight: true };
const comte: PricedProduct = { ...base, unit: 'g100', priceCents: 260, variableWeight: true, portionGrams: 200 };
const lentils: PricedProduct = { ...base, unit: 'g100', priceCents: 45, variableWeight: true, portionGrams: 500 };
const chicken: PricedProduct = { ...base, unit: 'kg', priceCents: 1150, variableWeight: true, multiWeigh: true, averageWeightGrams: 1800 };
const milk: PricedProduct = { ...base, unit: 'litre', priceCents: 140 };

describe('rounding', () => {
  it('rounds halves up and the rest to the nearest cent', () => {
    expect(divRoundHalfUp(1005, 1000)).toBe(1);
    expect(divRoundHalfUp(1500, 1000)).toBe(2);
    expect(divRoundHalfUp(1499, 1000)).toBe(1);
    expect(divRoundHalfUp(2500, 1000)).toBe(3);
    expect(divRoundHalfUp(0, 7)).toBe(0);
  });
  it('refuses non-integers and negative amounts', () => {
    expect(() => divRoundHalfUp(1.5, 2)).toThrow(RangeError);
    expect(() => divRoundHalfUp(-1, 2)).toThrow(RangeError);
    expect(() => divRoundHalfUp(1, 0)).toThrow(RangeError);
  });
});

describe('estimates', () => {
  it('prices pieces and packs by the unit', () => {
    expect(estimateLine(baguette, { quantity: 3 })).toEqual({ estimatedCents: 360, estimatedGrams: null });
    expect(estimateLine(eggs6, { quantity: 2 })).toEqual({ estimatedCents: 480, estimatedGrams: null });
    expect(estimateLine(milk, { quantity: 2 })).toEqual({ estimatedCents: 280, estimatedGrams: null });
  });
  it('prices kilo goods from a requested weight', () => {
    // 1.5 kg at 1.90 €/kg = 2.85 €
    expect(estimateLine(potatoes, { quantity: 1, requestedGrams: 1500 })).toEqual({ estimatedCents: 285, estimatedGrams: 1500 });
    // 333 g at 2.80 €/kg = 0.9324 € → 0.93 €
    expect(estimateLine(apples, { quantity: 1, requestedGrams: 333 }).estimatedCents).toBe(93);
  });
  it('prices kilo goods by count from the average weight of a piece', () => {
    // 6 apples × 180 g = 1080 g at 2.80 €/kg = 3.024 € → 3.02 €
    expect(estimateLine(apples, { quantity: 6 })).toEqual({ estimatedCents: 302, estimatedGrams: 1080 });
  });
  it('prices a kilo product with no average weight as one kilo per unit', () => {
    expect(estimateLine(potatoes, { quantity: 2 })).toEqual({ estimatedCents: 380, estimatedGrams: 2000 });
  });
  it('prices per-100 g goods by standard portion', () => {
    // two 200 g portions of comté at 2.60 €/100 g = 10.40 €
    expect(estimateLine(comte, { quantity: 2 })).toEqual({ estimatedCents: 1040, estimatedGrams: 400 });
    expect(estimateLine(lentils, { quantity: 1 })).toEqual({ estimatedCents: 225, estimatedGrams: 500 });
    // 150 g asked explicitly = 3.90 €
    expect(estimateLine(comte, { quantity: 1, requestedGrams: 150 }).estimatedCents).toBe(390);
  });
  it('prices multi-weigh pieces from their average weight', () => {
    // 2 chickens × 1.8 kg × 11.50 €/kg = 41.40 €
    expect(estimateLine(chicken, { quantity: 2 })).toEqual({ estimatedCents: 4140, estimatedGrams: 3600 });
  });
  it('refuses non-positive or fractional quantities', () => {
    expect(() => estimateLine(baguette, { quantity: 0 })).toThrow(RangeError);
    expect(() => estimateLine(baguette, { quantity: 1.5 })).toThrow(RangeError);
  });
});

describe('final prices after weighing', () => {
  it('uses the real total weight', () => {
    // 1.234 kg of apples at 2.80 €/kg = 3.4552 € → 3.46 €
    expect(finalLineCents(apples, { quantity: 6 }, [1234])).toBe(346);
    // 187 g of comté at 2.60 €/100 g = 4.862 € → 4.86 €
    expect(finalLineCents(comte, { quantity: 1 }, [187])).toBe(486);
  });
  it('sums one weight per piece for multi-weigh products', () => {
    // 1.650 + 2.010 kg = 3.660 kg × 11.50 = 42.09 €
    expect(finalLineCents(chicken, { quantity: 2 }, [1650, 2010])).toBe(4209);
  });
  it('needs exactly one weight per piece for multi-weigh products', () => {
    expect(() => finalLineCents(chicken, { quantity: 2 }, [1650])).toThrow(/needs 2 weights/);
  });
  it('needs a weight for weighed goods', () => {
    expect(() => finalLineCents(apples, { quantity: 1 }, [])).toThrow(RangeError);
  });
  it('keeps the estimate for goods that are not weighed', () => {
    expect(finalLineCents(eggs6, { quantity: 2 }, [])).toBe(480);
  });
});

describe('VAT and validation', () => {
  it('computes VAT included in an amount', () => {
    // 10.55 € at 5.5 %: net 10.00 €, VAT 0.55 €
    expect(vatIncludedCents(1055, 550)).toBe(55);
    expect(vatIncludedCents(1200, 2000)).toBe(200);
  });
  it('reports inconsistent pricing fields', () => {
    expect(pricingProblems(baguette)).toEqual([]);
    expect(pricingProblems({ ...baguette, variableWeight: true })).toContain('seuls les produits vendus au kilo ou aux 100 g sont pesés');
    expect(pricingProblems({ ...apples, packSize: 6 })).toContain('un lot ne concerne que les produits vendus à la pièce');
    expect(pricingProblems({ ...chicken, averageWeightGrams: null })).toContain('un produit pesé pièce par pièce demande un poids moyen par pièce');
    expect(pricingProblems({ ...baguette, portionGrams: 200 })).toContain('une portion ne concerne que les produits vendus au poids');
  });
});
