// Builds the text of order summaries and catalogue pages. Pure.
import { estimateLine, isWeighed, type PricedProduct } from '../catalog/pricing.js';
import type { LineNote, ReaderProduct } from '../catalog/reading/reader.js';
import { euros, sms, summaryLines } from '../i18n/sms.js';
import { toGsm7 } from '../i18n/gsm7.js';
import { countSegments } from './segments.js';

export type CatalogProduct = ReaderProduct & PricedProduct & { producerName?: string };

export interface PendingLine {
  productId: string;
  quantity: number;
  requestedGrams: number | null;
  notes: LineNote[];
}

export function grams(g: number): string {
  return g >= 1000 ? `${String(g / 1000).replace('.', ',')} kg` : `${g} g`;
}

function label(p: CatalogProduct, l: PendingLine): string {
  if (l.requestedGrams) return `${grams(l.requestedGrams)} ${p.name}`;
  if (p.unit === 'litre') return `${l.quantity} l ${p.name}`;
  if (p.unit === 'g100' && p.portionGrams) return `${l.quantity} x ${p.portionGrams} g ${p.name}`;
  return `${l.quantity} ${p.name}`;
}

function noteText(n: LineNote): string | undefined {
  switch (n.kind) {
    case 'packs_rounded':
      return sms.soldByPack(n.packSize);
    case 'weight_to_pieces':
      return `${grams(n.grams)} = ${n.pieces} pièce${n.pieces > 1 ? 's' : ''}`;
    case 'pieces_to_weight':
      return `env. ${grams(n.grams)}`;
    default:
      return undefined;
  }
}

/** Lines of a summary, each with its price, and the total. */
export function summarise(lines: PendingLine[], products: Map<string, CatalogProduct>) {
  let total = 0;
  let estimated = false;
  const shown = lines.flatMap((l) => {
    const p = products.get(l.productId);
    if (!p) return [];
    const cents = estimateLine(p, { quantity: l.quantity, requestedGrams: l.requestedGrams }).estimatedCents;
    const weighed = isWeighed(p);
    total += cents;
    estimated ||= weighed;
    const note = l.notes.map(noteText).filter(Boolean).join(', ');
    return [{ label: label(p, l), cents, estimated: weighed, note: note || undefined }];
  });
  return { text: summaryLines(shown), totalCents: total, estimated };
}

export function priceTag(p: CatalogProduct): string {
  const suffix = p.unit === 'kg' ? '/kg' : p.unit === 'g100' ? '/100g' : p.unit === 'litre' ? '/l' : '';
  return `${euros(p.priceCents)}${suffix}`;
}

/** Catalogue lines cut into pages of at most three SMS segments. */
export function cataloguePages(products: CatalogProduct[]): string[] {
  const pages: string[] = [];
  let current: string[] = [];
  for (const p of products) {
    const line = `${p.code} ${p.name} ${priceTag(p)}`;
    const candidate = toGsm7(sms.cataloguePage([...current, line], true));
    if (current.length > 0 && countSegments(candidate).segments > 3) {
      pages.push(current.join('\n'));
      current = [line];
    } else current.push(line);
  }
  if (current.length > 0) pages.push(current.join('\n'));
  return pages;
}
