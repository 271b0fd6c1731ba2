// Column titles a coordinator may write — ours in English, French ones (the template's), and the
// usual variants — mapped to our column names. Pure.
import { fold } from '../reading/normalize.js';

export const CATALOG_COLUMNS = [
  'producer', 'code', 'name', 'category', 'unit', 'price', 'variable_weight', 'multi_weigh',
  'portion_g', 'pack_size', 'average_weight_g', 'stock', 'aliases', 'vat',
] as const;
export type CatalogColumn = (typeof CATALOG_COLUMNS)[number];

/** The French titles of the template, in order (what `catalog template` prints). */
export const FRENCH_TITLES: Record<CatalogColumn, string> = {
  producer: 'producteur',
  code: 'code',
  name: 'nom',
  category: 'catégorie',
  unit: 'unité',
  price: 'prix',
  variable_weight: 'pesé',
  multi_weigh: 'pesé à la pièce',
  portion_g: 'portion (g)',
  pack_size: 'lot de',
  average_weight_g: 'poids moyen (g)',
  stock: 'stock',
  aliases: 'autres noms',
  vat: 'tva',
};

const VARIANTS: Record<CatalogColumn, string[]> = {
  producer: ['producteur', 'producteurs', 'fournisseur'],
  code: ['n', 'no', 'numero', 'num', 'code produit'],
  name: ['nom', 'produit', 'nom du produit', 'designation', 'libelle'],
  category: ['categorie', 'rayon', 'famille'],
  unit: ['unite', 'unite de vente'],
  price: ['prix', 'prix ttc', 'prix unitaire', 'prix de vente'],
  variable_weight: ['pese', 'poids variable', 'a peser'],
  multi_weigh: ['pese a la piece', 'pese piece par piece', 'pesee a la piece'],
  portion_g: ['portion', 'portion g'],
  pack_size: ['lot de', 'lot', 'conditionnement'],
  average_weight_g: ['poids moyen', 'poids moyen g'],
  stock: ['stock par distribution', 'quantite disponible'],
  aliases: ['autres noms', 'alias', 'synonymes'],
  vat: ['tva', 'taux de tva'],
};

/** "Prix (€)" → "prix", "Poids moyen (g)" → "poids moyen g", "N°" → "n". */
export function headerKey(title: string): string {
  return fold(title)
    .replace(/\((?:€|eur|euros?|%)\)|€|%/g, ' ')
    .replace(/[^a-z0-9_]+/g, ' ')
    .trim();
}

const BY_KEY = new Map<string, CatalogColumn>();
for (const column of CATALOG_COLUMNS) {
  BY_KEY.set(column, column);
  BY_KEY.set(headerKey(column.replace(/_/g, ' ')), column);
  for (const v of VARIANTS[column]) BY_KEY.set(headerKey(v), column);
}

/** Our column for a title, or null for a column we do not use (it is left alone). */
export function catalogColumnOf(title: string): CatalogColumn | null {
  return BY_KEY.get(headerKey(title)) ?? BY_KEY.get(headerKey(title).replace(/\s+g$/, '')) ?? null;
}
