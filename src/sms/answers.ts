// The replies of the conversation that are built from facts alone, kept within the SMS budget:
// three GSM-7 segments, never over Twilio's 1,600 characters. Pure: the conversation and the eval
// use the same functions.
import { lastSaidOf } from '../catalog/reading/corrections.js';
import type { ReaderProduct } from '../catalog/reading/types.js';
import { conversation } from '../i18n/conversation.js';
import { toGsm7 } from '../i18n/gsm7.js';
import { estimateLine, isWeighed } from '../catalog/pricing.js';
import { euros, sms, unitPriceLabel } from '../i18n/sms.js';
import { summarise, type CatalogProduct, type PendingLine } from './replies.js';
import { countSegments } from './segments.js';

export const MAX_SEGMENTS = 3;
const TWILIO_MAX_CHARS = 1600;

export function fits(text: string): boolean {
  const sent = toGsm7(text);
  return sent.length <= TWILIO_MAX_CHARS && countSegments(sent).segments <= MAX_SEGMENTS;
}

/**
 * The last guard: a reply longer than the budget keeps its first lines and ends with "...".
 * The answers below fit by construction; this only catches what no one foresaw.
 */
export function withinBudget(text: string): string {
  if (fits(text)) return text;
  const lines = text.split('\n');
  while (lines.length > 1) {
    lines.pop();
    const cut = `${lines.join('\n')}\n${conversation.more()}`;
    if (fits(cut)) return cut;
  }
  let one = lines[0] ?? '';
  while (one.length > 0 && !fits(`${one}${conversation.more()}`)) one = one.slice(0, Math.max(0, one.length - 20));
  return `${one}${conversation.more()}`;
}

/** What the resident would read about the distribution of a draft: pickup or delivery. */
export interface Fulfilment {
  pickup: string;
  place: string;
  /** set when the resident asked for home delivery: "samedi 5 décembre 9h-12h", or "" when no slot is set */
  delivery: string | null;
}

function fulfilmentText(f: Fulfilment): string {
  return f.delivery !== null ? conversation.deliveryWanted(f.delivery || null) : `Retrait ${f.pickup}, ${f.place}`;
}

/** A new draft to confirm: every line when it fits, else the count, the total and SUIVI. */
export function draftReply(lines: PendingLine[], products: Map<string, CatalogProduct>, f: Fulfilment, prefix = ''): string {
  const summary = summarise(lines, products);
  const full =
    f.delivery !== null
      ? conversation.draftDelivery(summary.text, summary.totalCents, summary.estimated, fulfilmentText(f))
      : sms.draft(summary.text, summary.totalCents, summary.estimated, f.pickup, f.place);
  if (fits(prefix + full)) return prefix + full;
  return withinBudget(prefix + conversation.draftShort(lines.length, summary.totalCents, summary.estimated, fulfilmentText(f)));
}

/** Lines added to a confirmed order, to confirm. `order.weighed`: the order already holds weighed goods. */
export function additionReply(lines: PendingLine[], products: Map<string, CatalogProduct>, order: { basket: number; cents: number; weighed: boolean }, prefix = ''): string {
  const summary = summarise(lines, products);
  const estimated = order.weighed || summary.estimated;
  const full = prefix + sms.addition(summary.text, order.basket, order.cents + summary.totalCents, estimated);
  if (fits(full)) return full;
  return withinBudget(prefix + conversation.additionShort(lines.length, order.basket, order.cents + summary.totalCents, estimated));
}

/**
 * Lines awaiting OUI corrected by a new text ("finalement plutôt 1 baguette", "2 au lieu d'une",
 * "non, 3 baguettes"): a product named now takes its new quantity (the last said, in one text),
 * `removed` products leave ("remplacez les oeufs par…"); the others stay.
 */
export function correctLines(pending: PendingLine[], now: PendingLine[], removed: Set<string>): PendingLine[] {
  const last = lastSaidOf(now);
  const named = new Set(last.map((l) => l.productId));
  const kept = pending.filter((l) => !named.has(l.productId) && !removed.has(l.productId));
  return mergeLines([...kept, ...last]);
}

/** The same product asked twice before OUI ("2 baguettes", then "encore 2 baguettes") is one line of 4. */
export function mergeLines(lines: PendingLine[]): PendingLine[] {
  const merged: PendingLine[] = [];
  for (const l of lines) {
    const same = merged.find((m) => m.productId === l.productId && (m.requestedGrams === null) === (l.requestedGrams === null));
    if (!same) merged.push({ ...l, notes: [...l.notes] });
    else if (same.requestedGrams !== null && l.requestedGrams !== null) same.requestedGrams += l.requestedGrams;
    else {
      same.quantity += l.quantity;
      // "10 = 2 x 6" said of the first text no longer describes the sum
      same.notes = [];
    }
  }
  return merged;
}

/** The lines waiting for OUI, for SUIVI. */
export function pendingReply(lines: PendingLine[], products: Map<string, CatalogProduct>): string {
  return withinBudget(conversation.pendingLines(summarise(lines, products).text));
}

/** "Pommes: 2,80 € le kg, environ 0,50 € pièce." for each product asked about. */
export function priceReply(asked: ReaderProduct[], products: Map<string, CatalogProduct>, pending = false): string {
  const items = asked.flatMap((a) => {
    const p = products.get(a.id);
    if (!p) return [];
    // sold by weight: what one piece or one portion comes to, which is what people picture
    const one = isWeighed(p) && (p.averageWeightGrams || p.portionGrams) ? estimateLine(p, { quantity: 1, requestedGrams: null }) : null;
    const piece = one ? (p.portionGrams ? conversation.perPortion(euros(one.estimatedCents), p.portionGrams) : conversation.perPiece(euros(one.estimatedCents))) : null;
    return [{ name: p.name, price: `${unitPriceLabel(p.priceCents, p.unit)}${piece ? `, ${piece}` : ''}` }];
  });
  if (items.length === 0) return conversation.priceWhich();
  return withinBudget(conversation.prices(items, pending));
}

/** "Pas au catalogue: …" naming at most a few phrases, each cut short: a reply, not an echo. */
export function unknownPrefix(unknown: string[]): string {
  if (unknown.length === 0) return '';
  const shown = unknown.slice(0, 3).map((u) => (u.length > 30 ? `${u.slice(0, 27)}...` : u));
  return `${sms.unknownItems(unknown.length > 3 ? [...shown, conversation.others(unknown.length - 3)] : shown)}\n`;
}
