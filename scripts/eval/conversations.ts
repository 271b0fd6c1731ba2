// Loads the labelled corpus of conversational texts and scores what the SMS conversation reads in
// each message (intent and outcome). Shared by `npm run eval:sms` and the test that holds the goal.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOrderReader, type ReadResult } from '../../src/catalog/reading/reader.js';
import { createRequestReader } from '../../src/catalog/reading/requests.js';
import { DEMO_PRODUCTS } from '../../src/demo/demoData.js';
import { conversation, joinNames } from '../../src/i18n/conversation.js';
import { toGsm7 } from '../../src/i18n/gsm7.js';
import { sms } from '../../src/i18n/sms.js';
import { draftReply, priceReply, unknownPrefix, withinBudget } from '../../src/sms/answers.js';
import { labelledLines } from './corpus.js';
import { readSmsIntent, type ConversationIntent } from '../../src/sms/intents.js';
import type { CatalogProduct, PendingLine } from '../../src/sms/replies.js';
import { countSegments } from '../../src/sms/segments.js';
import { demoReaderProducts, notation } from './corpus.js';

export interface ConversationCase {
  line: number;
  messages: string[];
  expected: string[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONVERSATIONS = path.join(root, 'test', 'corpus', 'sms-conversations.txt');
export const CONVERSATIONS_HELD_OUT = path.join(root, 'test', 'corpus', 'sms-conversations-heldout.txt');

/** "INTENT OUTCOME..." with the outcome tokens sorted, so that order does not matter. */
function canonical(label: string): string {
  const [intent, ...rest] = label.trim().split(/\s+/);
  return [intent, ...rest.sort()].join(' ');
}

export function loadConversations(file = CONVERSATIONS): ConversationCase[] {
  return labelledLines(file).map(({ line, text, label }) => {
    const messages = text.split(' >> ').map((m) => m.trim().replace(/\\n/g, '\n'));
    const expected = label.split(' >> ').map(canonical);
    if (messages.length !== expected.length) throw new Error(`corpus line ${line}: ${messages.length} messages, ${expected.length} labels`);
    return { line, messages, expected };
  });
}

/** An intent in the corpus notation. */
export function labelOf(intent: ConversationIntent): string {
  switch (intent.kind) {
    case 'order':
      return canonical(`${intent.delivery ? 'order+delivery' : 'order'} ${notation(intent.read).join(' ')}`);
    case 'price':
    case 'remove':
      return canonical(`${intent.kind} ${intent.products.map((p) => p.code).join(' ')}`);
    case 'unclear':
      return canonical(`unclear ${notation(intent.read).join(' ')}`);
    case 'catalogue':
    case 'next_page':
      return 'catalogue';
    default:
      return intent.kind;
  }
}

export interface ConversationScore {
  total: number;
  exact: number;
  messages: number;
  failures: { line: number; text: string; expected: string; got: string }[];
}

/** One case is right when every message of it is read right. */
export function scoreConversations(cases: ConversationCase[]): ConversationScore {
  const readRequest = createRequestReader(createOrderReader(demoReaderProducts()));
  const failures: ConversationScore['failures'] = [];
  let exact = 0;
  let messages = 0;
  for (const c of cases) {
    let pending = false;
    let right = true;
    c.messages.forEach((text, i) => {
      messages++;
      const intent = readSmsIntent(text, readRequest, { pending });
      const got = labelOf(intent);
      if (got !== c.expected[i]) {
        right = false;
        failures.push({ line: c.line, text, expected: c.expected[i]!, got });
      }
      // what the conversation would wait for next: OUI after an order or the usual basket
      pending = intent.kind === 'order' || intent.kind === 'usual' ? true : intent.kind === 'yes' || intent.kind === 'no' ? false : pending;
    });
    if (right) exact++;
  }
  return { total: cases.length, exact, messages, failures };
}

/** The demo catalogue with its prices, as the conversation sees it (code as id). */
export function demoCatalogProducts(): Map<string, CatalogProduct> {
  const prices = new Map(DEMO_PRODUCTS.map((p) => [String(p.code), p]));
  return new Map(demoReaderProducts().map((r) => [r.id, { ...r, priceCents: prices.get(r.id)!.priceCents }]));
}

/** The demo distribution as a resident reads it. */
const DEMO_FACTS = {
  pickup: 'vendredi 4 décembre 16h-19h', place: 'Épicerie du centre', closes: 'mercredi 2 décembre 20h', delivery: 'samedi 5 décembre 9h-12h',
  basket: 12, orderCents: 2350,
  usual: [{ productId: '1', quantity: 2, requestedGrams: null, notes: [] }, { productId: '16', quantity: 1, requestedGrams: null, notes: [] }, { productId: '20', quantity: 1, requestedGrams: null, notes: [] }],
};

/**
 * The reply the conversation sends for an intent on the demo distribution (window open, a confirmed
 * order on file), built by the same functions: to measure the segments residents pay for.
 */
export function demoReply(intent: ConversationIntent, products = demoCatalogProducts()): string {
  const f = DEMO_FACTS;
  const toLines = (r: ReadResult): PendingLine[] => r.lines.map((l) => ({ productId: l.product.id, quantity: l.quantity, requestedGrams: l.requestedGrams, notes: l.notes }));
  switch (intent.kind) {
    case 'order': {
      const prefix = unknownPrefix(intent.read.unknown);
      if (intent.read.questions.length > 0) return withinBudget(prefix + sms.whichProduct(intent.read.questions[0]!.phrase, ['Comté 18 mois', 'Tomme du Morvan', 'Crottin de chèvre']));
      return draftReply(toLines(intent.read), products, { pickup: f.pickup, place: f.place, delivery: intent.delivery ? f.delivery : null }, prefix);
    }
    case 'usual':
      return draftReply(f.usual, products, { pickup: f.pickup, place: f.place, delivery: null }, `${conversation.usualPrefix()}\n`);
    case 'price':
      return priceReply(intent.products, products);
    case 'when':
      return conversation.when(f.pickup, f.place, f.closes, f.delivery);
    case 'thanks':
      return conversation.thanks();
    case 'greeting':
      return conversation.greeting();
    case 'cancel':
      return sms.cancelAsk(f.basket, f.orderCents);
    case 'remove':
      return conversation.removed(joinNames(intent.products.map((p) => products.get(p.id)!.name)), f.basket, f.orderCents - 240, true);
    case 'delivery':
      return sms.deliveryRequested(intent.address || "12 rue du Pont, Lormes", f.delivery);
    case 'status':
      return sms.status(f.basket, 'confirmé', f.orderCents, false, `Retrait ${f.pickup}, ${f.place}`);
    case 'yes':
      return sms.confirmed(f.basket, f.orderCents, true, f.pickup, f.place);
    case 'no':
      return sms.draftDropped();
    case 'help':
      return sms.help();
    case 'catalogue':
    case 'next_page':
      return sms.catalogueCategories(['Pain', 'Fruits et légumes', 'Oeufs', 'Fromages', 'Crèmerie', 'Volailles', 'Épicerie', 'Hygiène']);
    case 'number':
      return sms.choiceNotUnderstood(3);
    case 'unclear':
      return withinBudget(unknownPrefix(intent.read.unknown) + sms.notUnderstood());
    case 'stop':
      return sms.stopped();
    case 'start':
      return sms.started();
  }
}

export interface SegmentStats {
  replies: number;
  mean: number;
  max: number;
}

export function segmentStats(cases: ConversationCase[]): SegmentStats {
  const readRequest = createRequestReader(createOrderReader(demoReaderProducts()));
  const products = demoCatalogProducts();
  const counts = cases.flatMap((c) => {
    let pending = false;
    return c.messages.map((text) => {
      const intent = readSmsIntent(text, readRequest, { pending });
      pending = intent.kind === 'order' || intent.kind === 'usual' ? true : intent.kind === 'yes' || intent.kind === 'no' ? false : pending;
      return countSegments(toGsm7(demoReply(intent, products))).segments;
    });
  });
  return { replies: counts.length, mean: counts.reduce((a, b) => a + b, 0) / counts.length, max: Math.max(...counts) };
}
