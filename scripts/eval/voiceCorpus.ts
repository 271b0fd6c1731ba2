// The SMS corpus said on the phone, read through the voice menu's speech step; and the spoken
// length of the main menu paths. Used by `npm run eval:voice` and by the test that holds the goals.
import { createOrderReader } from '../../src/catalog/reading/reader.js';
import { estimateLine } from '../../src/catalog/pricing.js';
import { DEMO_PRODUCTS } from '../../src/demo/demoData.js';
import { spokenEuros } from '../../src/i18n/voice.js';
import { initialState, start, step, wordsSaid, type CallContext, type CallState, type Input, type VoiceProduct } from '../../src/voice/menu.js';
import { demoReaderProducts, loadCorpus } from './corpus.js';

const WORDS = ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix', 'onze', 'douze'];

/** What a French speech recogniser would return for a text. */
export function asTranscript(text: string, index: number): string {
  let t = text.toLowerCase().replace(/[\n;,.!?+:()"«»]+(?!\d)/g, ' ').replace(/[’]/g, "'");
  if (index % 2 === 0) t = t.replace(/(?<![.,\d])\b(\d{1,2})\b(?![,.]\d)/g, (m, n: string) => WORDS[Number(n)] ?? m);
  return t.replace(/\s+/g, ' ').trim();
}

export function demoContext(): CallContext {
  const products = demoReaderProducts();
  const byCode = new Map<number, VoiceProduct>();
  const byId = new Map<string, VoiceProduct>();
  for (const p of DEMO_PRODUCTS) {
    const vp: VoiceProduct = {
      id: String(p.code), code: p.code!, name: p.name, priceLabel: spokenEuros(p.priceCents), sellsByWeight: p.unit === 'kg' && !p.multiWeigh,
      priceOf: (l) => estimateLine(p, l).estimatedCents,
    };
    byCode.set(vp.code, vp);
    byId.set(vp.id, vp);
  }
  return {
    groupName: 'Panier de Lormes', customerName: 'Madame Martin', products: { byCode, byId }, read: createOrderReader(products),
    usualBasket: { lines: [{ productId: '1', quantity: 2, requestedGrams: null }, { productId: '16', quantity: 1, requestedGrams: null }, { productId: '20', quantity: 1, requestedGrams: null }], skipped: [] },
    orderOpen: true, nextOpens: null, currentOrders: ['Panier numéro 12, confirmée. Total environ 23 euros 50. Retrait vendredi 4 décembre, de 16 heures à 19 heures, à Épicerie du centre.'],
    hasActiveOrder: true, openBasket: null, addressOnFile: '12 rue du Pont, Lormes', deliveryWindow: 'samedi 5 décembre, de 9 heures à 12 heures',
    operatorOpen: true, operatorPhone: '+33386220000', operatorHours: 'du lundi au vendredi de 9 heures à 12 heures', speechHints: '',
  };
}

export interface VoiceScore {
  total: number;
  exact: number;
  failures: string[];
}

export function scoreVoicePath(): VoiceScore {
  const cases = loadCorpus().filter((c) => !/#|\bcode\b|n°|\d\s*x\s*\d|^\d+$/m.test(c.text));
  const ctx = demoContext();
  let exact = 0;
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const transcript = asTranscript(c.text, i);
    const speechNode: CallState = { ...initialState(), node: 'speech' };
    const t = step(speechNode, { kind: 'speech', text: transcript }, ctx);
    const got = (t.state.node === 'speech_confirm' ? t.state.cart : []).map((l) => (l.requestedGrams ? `${l.productId}@${l.requestedGrams}` : `${l.productId}x${l.quantity}`)).sort();
    const expected = c.expected.filter((e) => e !== '?' && e !== '!').sort();
    if (got.join(' ') === expected.join(' ')) exact++;
    else failures.push(`line ${c.line}: ${JSON.stringify(transcript)} expected ${expected.join(' ') || '-'} got ${got.join(' ') || '-'}`);
  });
  return { total: cases.length, exact, failures };
}

/** Words said before each action along a path of the menu. */
export function walk(inputs: Input[], ctx = demoContext()): number[] {
  const counts: number[] = [];
  let t = start(ctx);
  counts.push(wordsSaid(t.prompt));
  for (const input of inputs) {
    t = step(t.state, input, ctx);
    if (t.effect && t.after) t = t.after({ kind: 'order_placed', basket: 12, totalCents: 2350, pickup: 'vendredi 4 décembre, de 16 heures à 19 heures', place: 'Épicerie du centre', added: false, estimated: false, delivery: null });
    counts.push(wordsSaid(t.prompt));
  }
  return counts;
}

const d = (k: string): Input => ({ kind: 'digits', digits: k });
export const MAIN_PATHS: [string, Input[]][] = [
  ['reorder the usual basket (1, 1, 1)', [d('1'), d('1'), d('1')]],
  ['order by codes, 2 products (1, 2, code#, 1 add, code#, 9 add and finish, 1)', [d('1'), d('2'), d('1#'), d('1'), d('16#'), d('9'), d('1')]],
  ['order by codes, a quantity changed (1, 2, code#, 2, qty#, code#, 9, 1)', [d('1'), d('2'), d('1#'), d('2'), d('3#'), d('16#'), d('9'), d('1')]],
  ['order said at the order menu (1, speech, 1)', [d('1'), { kind: 'speech', text: 'deux baguettes et un kilo de carottes' }, d('1')]],
  ['order by speech (1, 3, speech, 1)', [d('1'), d('3'), { kind: 'speech', text: 'deux baguettes et un kilo de pommes' }, d('1')]],
  ['hear the order status (2)', [d('2')]],
  ['home delivery at the address on file (3, 1)', [d('3'), d('1')]],
  ['reach the switchboard (0)', [d('0')]],
];
