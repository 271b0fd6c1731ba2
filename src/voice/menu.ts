// The voice menu as a pure state machine: state + what the caller did → next state, what to say,
// what to gather, and at most one effect for the handler to carry out (an order, a task).
import { lastSaidOf, saysCorrection } from '../catalog/reading/corrections.js';
import type { ReadResult } from '../catalog/reading/reader.js';
import { spokenEuros, spokenGrams, spokenItem, voice } from '../i18n/voice.js';

export const MAX_REPROMPTS = 2;
export const MAX_SPEECH_TRIES = 2;
/**
 * Seconds of silence that end a spoken order. Elderly callers pause to think between two products;
 * 2 s cut them off. 4 s lets a pause pass and costs 4 s once per spoken order (see npm run eval:voice).
 */
export const ORDER_SPEECH_PAUSE_S = 4;
/** A menu word ("deux", "oui") ends sooner; a whole order said at the menu still gets this pause. */
export const MENU_SPEECH_PAUSE_S = 3;

/**
 * The keys of ordering by catalogue code. The transitions and the printed catalogue sheet both read
 * them from here, so what is printed is what the menu does.
 */
export const CODE_KEYS = { order: '1', byCode: '2', codeEnd: '#', add: '1', changeQuantity: '2', addAndFinish: '9', finish: '9', correct: '*', confirm: '1' } as const;

/** Every place of the menu (a call's stored state is checked against it when read back). */
export const NODES = [
  'main', 'order_menu', 'reorder_confirm', 'code_entry', 'code_quantity', 'code_item', 'review_confirm',
  'speech', 'speech_confirm', 'record_order', 'status_after', 'delivery_confirm', 'delivery_record',
  'operator_dial', 'operator_record', 'done',
] as const;
export type Node = (typeof NODES)[number];

export interface CartLine {
  productId: string;
  quantity: number;
  requestedGrams: number | null;
}

export interface CallState {
  node: Node;
  reprompts: number;
  cart: CartLine[];
  pendingCode: number | null;
  pendingQuantity: number | null;
  speechTries: number;
}

export interface VoiceProduct {
  id: string;
  code: number;
  name: string;
  /** estimated price of a line, in cents */
  priceOf: (line: CartLine) => number;
  /** "1 euro 20", "2 euros 80 le kilo" */
  priceLabel: string;
  sellsByWeight: boolean;
  /** its price is known only once weighed: totals are said "environ" */
  estimated?: boolean;
}

export interface CallContext {
  groupName: string;
  customerName: string | null;
  products: { byCode: Map<number, VoiceProduct>; byId: Map<string, VoiceProduct> };
  read: (text: string) => ReadResult;
  usualBasket: { lines: CartLine[]; skipped: string[] } | null;
  orderOpen: boolean;
  nextOpens: string | null;
  /** sentences about the caller's current orders, ready to say */
  currentOrders: string[];
  hasActiveOrder: boolean;
  /** their basket in the distribution open for orders: the usual basket again would double it */
  openBasket: number | null;
  addressOnFile: string | null;
  deliveryWindow: string | null;
  operatorOpen: boolean;
  operatorPhone: string | null;
  operatorHours: string;
  speechHints: string;
}

export type Input =
  | { kind: 'start' }
  | { kind: 'digits'; digits: string }
  | { kind: 'speech'; text: string }
  | { kind: 'timeout' }
  | { kind: 'recorded' }
  | { kind: 'dial'; status: string };

export type TaskKind = 'order_to_enter' | 'call_back' | 'interrupted_call' | 'delivery_address' | 'missed_transfer';

export type Effect =
  | { kind: 'place_order'; lines: CartLine[] }
  | { kind: 'task'; taskKind: TaskKind }
  | { kind: 'request_delivery'; address: string };

export type EffectOutcome =
  /** `added`: the lines went into the basket the caller already had; `estimated`: its total waits for the scales */
  | { kind: 'order_placed'; basket: number; totalCents: number; pickup: string; place: string; added: boolean; estimated: boolean; delivery: { window: string | null } | null }
  | { kind: 'out_of_stock'; productName: string; remaining: number }
  | { kind: 'window_closed' }
  | { kind: 'done' };

export interface Prompt {
  say: string[];
  gather?: { input: 'dtmf' | 'dtmf speech' | 'speech'; numDigits?: number; finishOnKey?: string; timeout: number; hints?: string; speechTimeout?: number };
  record?: { maxLength: number };
  dial?: { number: string; timeout: number };
  hangup?: boolean;
}

export interface Transition {
  state: CallState;
  prompt: Prompt;
  effect?: Effect;
  /** once the effect is carried out, what the caller hears */
  after?: (outcome: EffectOutcome) => Transition;
}

export function initialState(): CallState {
  return { node: 'main', reprompts: 0, cart: [], pendingCode: null, pendingQuantity: null, speechTries: 0 };
}

const ONE_KEY = (hints = 'un, deux, trois, quatre, zéro, étoile') => ({ input: 'dtmf speech' as const, numDigits: 1, timeout: 6, hints, speechTimeout: 2 });

/** "un", "deux", "zéro", "étoile", "oui" said instead of a key. */
export function speechToKey(text: string): string | null {
  const t = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[.,!?]/g, ' ').trim();
  const words: Record<string, string> = { un: '1', une: '1', deux: '2', trois: '3', quatre: '4', neuf: '9', zero: '0', etoile: '*', oui: '1', non: '2', commander: '1', livraison: '3', menu: '*' };
  const first = t.split(/\s+/)[0] ?? '';
  if (/^[0-9*#]$/.test(first)) return first;
  return words[first] ?? null;
}

/**
 * What a caller asks for at the main menu in their own words ("je voudrais parler à quelqu'un",
 * "où en est ma commande"), as the key it stands for; null when it is none of the four.
 */
export function mainMenuPhrase(text: string): string | null {
  const t = ` ${text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/['’-]/g, ' ').replace(/[.,!?;:]/g, ' ').replace(/\s+/g, ' ').trim()} `;
  if (/ (parler|quelqu un|standard|standardiste|operat\w*|conseill\w*|benevole|personne|humain) /.test(t)) return '0';
  if (/ (livr\w*|apporter|domicile) /.test(t)) return '3';
  if (/ (ou en est|suivi|statut|etat) | ma commande /.test(t)) return '2';
  if (/ (commander|commande|acheter|panier) /.test(t)) return '1';
  return null;
}

/** What a caller asks for at the order menu in their own words ("comme d'habitude", "par numéro"), as its key. */
export function orderMenuPhrase(text: string): string | null {
  const t = ` ${text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/['’-]/g, ' ').replace(/[.,!?;:]/g, ' ').replace(/\s+/g, ' ').trim()} `;
  if (/ (habitude|habituel|meme chose|meme commande|pareil|derniere fois) /.test(t)) return '1';
  if (/ (numero|numeros|catalogue|code|codes) /.test(t)) return '2';
  if (/ (message|repondeur) /.test(t)) return '4';
  if (/ (dire|parler|dicter) /.test(t)) return '3';
  return null;
}

/** "environ 23 euros 50" when something is weighed at the shop, "23 euros 50" otherwise. */
function spokenTotal(cart: CartLine[], ctx: CallContext, cents: number): string {
  const estimated = cart.some((l) => ctx.products.byId.get(l.productId)?.estimated);
  return `${estimated ? 'environ ' : ''}${spokenEuros(cents)}`;
}

function cartItems(cart: CartLine[], ctx: CallContext): { text: string; total: string } {
  let total = 0;
  const parts = cart.flatMap((l) => {
    const p = ctx.products.byId.get(l.productId);
    if (!p) return [];
    total += p.priceOf(l);
    return [spokenLine(l, p)];
  });
  return { text: parts.join(', '), total: spokenTotal(cart, ctx, total) };
}

/** "2 baguettes tradition", "1 kilo de pommes", "1 boîte de 6 oeufs": a line as it is said. */
function spokenLine(l: CartLine, p: VoiceProduct): string {
  return l.requestedGrams ? `${spokenGrams(l.requestedGrams)} de ${spokenItem(1, p.name).replace(/^1 /, '')}` : spokenItem(l.quantity, p.name);
}

function promptFor(node: Node, s: CallState, ctx: CallContext): Prompt {
  switch (node) {
    case 'main':
      // a whole order said at the menu is read as an order: the pause of a spoken order
      return { say: [voice.mainMenu(ctx.orderOpen)], gather: { ...ONE_KEY('un, deux, trois, zéro, étoile'), speechTimeout: MENU_SPEECH_PAUSE_S } };
    case 'order_menu':
      return { say: [voice.orderMenu(Boolean(ctx.usualBasket?.lines.length) && ctx.openBasket === null)], gather: { ...ONE_KEY(`un, deux, trois, quatre, étoile, ${ctx.speechHints}`), speechTimeout: MENU_SPEECH_PAUSE_S } };
    case 'reorder_confirm': {
      const basket = ctx.usualBasket!;
      const { text, total } = cartItems(basket.lines, ctx);
      return {
        say: [voice.usualBasket(text, total), ...(basket.skipped.length ? [voice.skipped(basket.skipped.join(', '))] : []), voice.confirmPrompt()],
        gather: ONE_KEY('un, deux'),
      };
    }
    case 'code_entry':
      return { say: [voice.codePrompt(s.cart.length === 0)], gather: { input: 'dtmf', finishOnKey: '#', timeout: 10 } };
    case 'code_quantity':
      return { say: [voice.quantityPrompt()], gather: { input: 'dtmf', finishOnKey: '#', timeout: 10 } };
    case 'code_item': {
      // quantity 1 by default: one key adds it, another changes the quantity
      const p = ctx.products.byCode.get(s.pendingCode ?? -1)!;
      const line = pendingLine(s, p);
      return { say: [voice.itemReadback(spokenLine(line, p), spokenEuros(p.priceOf(line)), s.cart.length > 0)], gather: ONE_KEY('un, deux, neuf, étoile') };
    }
    case 'review_confirm': {
      const { text, total } = cartItems(s.cart, ctx);
      return { say: [voice.review(text, total), voice.confirmPrompt()], gather: ONE_KEY('un, deux') };
    }
    case 'speech':
      // no beep: a speech Gather plays none, so none is promised
      return { say: [voice.speechPrompt()], gather: { input: 'speech', timeout: 8, hints: ctx.speechHints, speechTimeout: ORDER_SPEECH_PAUSE_S } };
    case 'speech_confirm': {
      const { text, total } = cartItems(s.cart, ctx);
      return { say: [voice.speechReadback(text, total), voice.speechChoice()], gather: ONE_KEY('un, deux, trois') };
    }
    case 'record_order':
      return { say: [voice.recordPrompt()], record: { maxLength: 180 } };
    case 'status_after':
      return { say: [voice.backToMenu()], gather: ONE_KEY('étoile, menu') };
    case 'delivery_confirm':
      return { say: [voice.deliveryAddress(ctx.addressOnFile ?? '')], gather: ONE_KEY('un, deux') };
    case 'delivery_record':
      return { say: [voice.deliveryRecordAddress()], record: { maxLength: 60 } };
    case 'operator_record':
      return { say: [voice.leaveMessage()], record: { maxLength: 120 } };
    case 'operator_dial':
      return { say: [voice.transferring()], dial: { number: ctx.operatorPhone ?? '', timeout: 20 } };
    case 'done':
      return { say: [voice.goodbyeSimple()], hangup: true };
  }
}

function pendingLine(s: CallState, p: VoiceProduct): CartLine {
  const q = s.pendingQuantity ?? 1;
  // keyed quantities of goods sold by the kilo are kilos, as the printed sheet prices them
  return p.sellsByWeight ? { productId: p.id, quantity: 1, requestedGrams: q * 1000 } : { productId: p.id, quantity: q, requestedGrams: null };
}

function go(node: Node, s: CallState, ctx: CallContext, before: string[] = [], patch: Partial<CallState> = {}): Transition {
  const state = { ...s, ...patch, node, reprompts: node === s.node ? s.reprompts : 0 };
  const prompt = promptFor(node, state, ctx);
  return { state, prompt: { ...prompt, say: [...before, ...prompt.say] } };
}

function end(s: CallState, say: string[], effect?: Effect): Transition {
  return { state: { ...s, node: 'done' }, prompt: { say, hangup: true }, effect };
}

/** Places the order, then says the basket number, or why not. */
function placeOrder(s: CallState, ctx: CallContext, lines: CartLine[]): Transition {
  return {
    state: { ...s, cart: lines },
    prompt: { say: [] },
    effect: { kind: 'place_order', lines },
    after: (outcome) => {
      if (outcome.kind === 'order_placed') {
        const said = outcome.added
          ? voice.addedToBasket(outcome.basket, `${outcome.estimated ? 'environ ' : ''}${spokenEuros(outcome.totalCents)}`, outcome.pickup, outcome.place)
          : outcome.delivery
            ? voice.confirmedDelivery(outcome.basket, outcome.delivery.window)
            : voice.confirmed(outcome.basket, outcome.pickup, outcome.place);
        return end({ ...s, cart: [] }, [said]);
      }
      if (outcome.kind === 'out_of_stock') {
        const cart = lines
          .map((l) => (ctx.products.byId.get(l.productId)?.name === outcome.productName ? { ...l, quantity: Math.min(l.quantity, outcome.remaining) } : l))
          .filter((l) => l.quantity > 0);
        const say = [voice.outOfStock(outcome.productName, outcome.remaining)];
        return cart.length > 0 ? go('review_confirm', s, ctx, say, { cart }) : go('order_menu', s, ctx, [...say, voice.emptyCart()], { cart: [] });
      }
      return end(s, [voice.windowClosed(ctx.nextOpens), voice.goodbyeSimple()]);
    },
  };
}

/** No dead end, no endless loop: a polite goodbye, and a call-back if an order was started. */
function giveUp(s: CallState, why: 'silence' | 'invalid'): Transition {
  const ordering = s.cart.length > 0 || ['code_entry', 'code_quantity', 'code_item', 'review_confirm', 'speech', 'speech_confirm', 'reorder_confirm'].includes(s.node);
  return end(s, [why === 'silence' ? voice.goodbye(ordering) : voice.goodbyeInvalid(ordering)], ordering ? { kind: 'task', taskKind: 'interrupted_call' } : undefined);
}

function onTimeout(s: CallState, ctx: CallContext): Transition {
  // after the status the caller was told "Sinon, au revoir": silence is the goodbye, not a question
  if (s.node === 'status_after') return end(s, [voice.goodbyeSimple()]);
  if (s.reprompts >= MAX_REPROMPTS) return giveUp(s, 'silence');
  const again = go(s.node, s, ctx, [voice.repeatPrompt()]);
  return { ...again, state: { ...again.state, reprompts: s.reprompts + 1 } };
}

function onInvalid(s: CallState, ctx: CallContext): Transition {
  if (s.reprompts >= MAX_REPROMPTS) return giveUp(s, 'invalid');
  const again = go(s.node, s, ctx, [voice.invalidKey()]);
  return { ...again, state: { ...again.state, reprompts: s.reprompts + 1 } };
}

/** A spoken order read with the SMS reader: the cart to confirm, or null when nothing was read. */
function spokenOrder(s: CallState, ctx: CallContext, text: string): Transition | null {
  const result = ctx.read(text);
  if (result.lines.length === 0) return null;
  const said = result.lines.map((l) => ({ productId: l.product.id, quantity: l.quantity, requestedGrams: l.requestedGrams }));
  // "deux baguettes, non plutôt trois": the last said stands
  const cart = saysCorrection(text) ? lastSaidOf(said) : said;
  const before = result.unknown.length ? [voice.speechUnknown(result.unknown.join(', '))] : [];
  return go('speech_confirm', s, ctx, before, { cart });
}

export function start(ctx: CallContext): Transition {
  const s = initialState();
  const greeting = [voice.greeting(ctx.customerName, ctx.groupName), ...(ctx.orderOpen ? [] : [voice.windowClosed(ctx.nextOpens)])];
  return go('main', s, ctx, greeting);
}

/** The call's state was lost (Redis restarted): say so, and the main menu again from a fresh state. */
export function restart(ctx: CallContext): Transition {
  return go('main', initialState(), ctx, [voice.lostThread()]);
}

/** The key a caller's words stand for: at the two menus a sentence says what is wanted ("une personne s'il vous plaît"), else its first word ("un", "oui"). */
function spokenKey(node: Node, text: string): string | null {
  const phrase = node === 'main' ? mainMenuPhrase : node === 'order_menu' ? orderMenuPhrase : null;
  const sentence = text.trim().split(/\s+/).length > 1;
  if (phrase && sentence) return phrase(text) ?? speechToKey(text);
  return speechToKey(text) ?? phrase?.(text) ?? null;
}

export function step(s: CallState, input: Input, ctx: CallContext): Transition {
  if (input.kind === 'start') return start(ctx);
  if (input.kind === 'timeout') return onTimeout(s, ctx);
  // more than a menu word said at a menu ("deux baguettes et un kilo de carottes") is an order, not key 2
  if (input.kind === 'speech' && (s.node === 'main' || s.node === 'order_menu') && ctx.orderOpen && input.text.trim().split(/\s+/).length > 2) {
    const order = spokenOrder(s, ctx, input.text);
    if (order) return order;
  }
  const key = input.kind === 'digits' ? input.digits : input.kind === 'speech' && s.node !== 'speech' ? spokenKey(s.node, input.text) : null;
  if (key === CODE_KEYS.correct && s.node === 'code_item') return go('code_entry', s, ctx, [voice.correctCode()], { pendingCode: null, pendingQuantity: null });
  if (key === '*' && s.node !== 'code_entry' && s.node !== 'code_quantity') return go(s.node === 'main' || s.node === 'status_after' ? 'main' : s.node, s, ctx);

  switch (s.node) {
    case 'main':
      if (key === '1') return ctx.orderOpen ? go('order_menu', s, ctx) : go('main', s, ctx, [voice.windowClosed(ctx.nextOpens)]);
      if (key === '2') return go('status_after', s, ctx, ctx.currentOrders.length ? ctx.currentOrders : [voice.noOrder()]);
      if (key === '3') {
        if (!ctx.hasActiveOrder) return go('main', s, ctx, [voice.deliveryNoOrder()]);
        return go(ctx.addressOnFile ? 'delivery_confirm' : 'delivery_record', s, ctx);
      }
      if (key === '0') {
        if (ctx.operatorOpen && ctx.operatorPhone) return go('operator_dial', s, ctx);
        return go('operator_record', s, ctx, [voice.operatorClosed(ctx.operatorHours)]);
      }
      return onInvalid(s, ctx);
    case 'order_menu':
      // this distribution's basket is already ordered: the usual basket again would double it
      if (key === '1' && ctx.openBasket !== null) return go('order_menu', s, ctx, [voice.usualAlready(ctx.openBasket)]);
      if (key === '1' && ctx.usualBasket?.lines.length) return go('reorder_confirm', s, ctx);
      // the keys stay those of the printed sheet for everyone: 1 is said to a new caller, not refused
      if (key === '1') return go('order_menu', s, ctx, [voice.noUsualBasket()]);
      if (key === CODE_KEYS.byCode) return go('code_entry', s, ctx, [], { cart: [] });
      if (key === '3') return go('speech', s, ctx, [], { speechTries: 0 });
      if (key === '4') return go('record_order', s, ctx);
      return onInvalid(s, ctx);
    case 'reorder_confirm':
      if (key === '1') return placeOrder(s, ctx, ctx.usualBasket!.lines);
      if (key === '2') return go('main', s, ctx);
      return onInvalid(s, ctx);
    case 'code_entry': {
      const digits = (key ?? '').replace(/#$/, '');
      if (digits === CODE_KEYS.finish && !ctx.products.byCode.has(Number(CODE_KEYS.finish))) {
        return s.cart.length ? go('review_confirm', s, ctx) : go('order_menu', s, ctx, [voice.emptyCart()]);
      }
      if (!/^\d{1,4}$/.test(digits)) return onInvalid(s, ctx);
      if (!ctx.products.byCode.has(Number(digits))) return go('code_entry', s, ctx, [voice.unknownCode(digits)]);
      return go('code_item', s, ctx, [], { pendingCode: Number(digits), pendingQuantity: null });
    }
    case 'code_quantity': {
      const n = Number((key ?? '').replace(/#$/, ''));
      const p = ctx.products.byCode.get(s.pendingCode ?? -1);
      if (!p) return go('code_entry', s, ctx);
      if (!Number.isInteger(n) || n < 1 || n > 99) return onInvalid(s, ctx);
      const line = pendingLine({ ...s, pendingQuantity: n }, p);
      return go('code_entry', s, ctx, [voice.itemAddedAs(spokenLine(line, p))], { cart: [...s.cart, line], pendingCode: null, pendingQuantity: null });
    }
    case 'code_item': {
      const p = ctx.products.byCode.get(s.pendingCode ?? -1);
      if (!p) return go('code_entry', s, ctx);
      const cart = [...s.cart, pendingLine(s, p)];
      const cleared = { pendingCode: null, pendingQuantity: null };
      if (key === CODE_KEYS.add) return go('code_entry', s, ctx, [voice.itemAdded()], { cart, ...cleared });
      if (key === CODE_KEYS.changeQuantity) return go('code_quantity', s, ctx);
      if (key === CODE_KEYS.addAndFinish) return go('review_confirm', s, ctx, [], { cart, ...cleared });
      return onInvalid(s, ctx);
    }
    case 'review_confirm':
      if (key === '1') return placeOrder(s, ctx, s.cart);
      if (key === '2') return go('main', s, ctx, [], { cart: [] });
      return onInvalid(s, ctx);
    case 'speech': {
      if (input.kind !== 'speech' && input.kind !== 'digits') return onInvalid(s, ctx);
      const order = input.kind === 'speech' ? spokenOrder(s, ctx, input.text) : null;
      if (order) return order;
      if (s.speechTries + 1 < MAX_SPEECH_TRIES) return go('speech', s, ctx, [voice.speechNotUnderstood()], { speechTries: s.speechTries + 1 });
      return go('record_order', s, ctx, [voice.speechNotUnderstood()]);
    }
    case 'speech_confirm':
      if (key === '1') return placeOrder(s, ctx, s.cart);
      if (key === '2') return go('speech', s, ctx, [], { cart: [], speechTries: 0 });
      if (key === '3') return go('record_order', s, ctx, [], { cart: [] });
      return onInvalid(s, ctx);
    case 'record_order':
      return input.kind === 'recorded' ? end(s, [voice.recordDone()], { kind: 'task', taskKind: 'order_to_enter' }) : onInvalid(s, ctx);
    case 'status_after':
      return key === '*' ? go('main', s, ctx) : end(s, [voice.goodbyeSimple()]);
    case 'delivery_confirm':
      if (key === '1' && ctx.addressOnFile) {
        return { ...end(s, []), effect: { kind: 'request_delivery', address: ctx.addressOnFile }, after: () => end(s, [voice.deliveryRequested(ctx.deliveryWindow)]) };
      }
      if (key === '2') return go('delivery_record', s, ctx);
      return onInvalid(s, ctx);
    case 'delivery_record':
      return input.kind === 'recorded' ? end(s, [voice.deliveryAddressRecorded()], { kind: 'task', taskKind: 'delivery_address' }) : onInvalid(s, ctx);
    case 'operator_dial':
      if (input.kind === 'dial' && (input.status === 'completed' || input.status === 'answered')) return end(s, []);
      return go('operator_record', s, ctx, [voice.operatorUnavailable()]);
    case 'operator_record':
      return input.kind === 'recorded' ? end(s, [voice.messageRecorded()], { kind: 'task', taskKind: 'call_back' }) : onInvalid(s, ctx);
    case 'done':
      return end(s, [voice.goodbyeSimple()]);
  }
}

/** Words said before the caller can act: the measure of how long a path takes to hear. */
export function wordsSaid(prompt: Prompt): number {
  return prompt.say.join(' ').split(/\s+/).filter(Boolean).length;
}
