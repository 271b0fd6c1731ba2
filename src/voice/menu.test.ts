import { describe, expect, it } from 'vitest';
import { demoContext, MAIN_PATHS, scoreVoicePath, walk } from '../../scripts/eval/voiceCorpus.js';
import { operatorOpenAt, spokenHours } from './callContext.js';
import { CODE_KEYS, initialState, MAX_REPROMPTS, ORDER_SPEECH_PAUSE_S, speechToKey, start, step, type CallState, type Input } from './menu.js';
import { renderPrompt } from './twiml.js';
import { sheetInstructions, spokenEuros, spokenGrams, spokenItem } from '../i18n/voice.js';

const ctx = demoContext();
const d = (digits: string) => ({ kind: 'digits' as const, digits });

describe('voice menu transitions', () => {
  it('greets by name and offers the main menu, with a fallback after the Gather', () => {
    const t = start(ctx);
    expect(t.state.node).toBe('main');
    expect(t.prompt.say[0]).toBe('Bonjour Madame Martin. Bienvenue au Panier de Lormes.');
    expect(t.prompt.gather).toMatchObject({ input: 'dtmf speech', numDigits: 1 });
  });
  it('goes from the main menu to each branch', () => {
    const s = initialState();
    expect(step(s, d('1'), ctx).state.node).toBe('order_menu');
    expect(step(s, d('2'), ctx).state.node).toBe('status_after');
    expect(step(s, d('3'), ctx).state.node).toBe('delivery_confirm');
    expect(step(s, d('0'), ctx).state.node).toBe('operator_dial');
    expect(step(s, d('0'), { ...ctx, operatorOpen: false }).state.node).toBe('operator_record');
    expect(step(s, d('3'), { ...ctx, addressOnFile: null }).state.node).toBe('delivery_record');
    expect(step(s, d('3'), { ...ctx, hasActiveOrder: false }).state.node).toBe('main');
    expect(step(s, d('1'), { ...ctx, orderOpen: false }).state.node).toBe('main');
  });
  it('says a civility in full when it greets ("Mr Leroy" is "Monsieur Leroy")', () => {
    const names: [string, string][] = [['Mr Leroy', 'Monsieur Leroy'], ['M. Leroy', 'Monsieur Leroy'], ['Mme Roux', 'Madame Roux'], ['MME ROUX', 'Madame ROUX'], ['Mlle Petit', 'Mademoiselle Petit'], ['Marie Dupont', 'Marie Dupont'], ['Mathieu', 'Mathieu'], ['Mme', 'Mme']];
    for (const [name, said] of names) {
      expect(start({ ...ctx, customerName: name }).prompt.say[0]).toBe(`Bonjour ${said}. Bienvenue au Panier de Lormes.`);
    }
  });
  it('tells a new caller who presses 1 at the order menu that there is no usual basket yet, and offers the menu again', () => {
    const t = step({ ...initialState(), node: 'order_menu' }, d('1'), { ...ctx, usualBasket: null });
    expect(t.state.node).toBe('order_menu');
    expect(t.prompt.say.join(' ')).toBe('Vous n’avez pas encore de panier habituel. Pour les numéros du catalogue, tapez 2. Pour dire votre commande, tapez 3. Pour un message, tapez 4.');
  });
  it('says goodbye after the status when the caller says nothing more (they were told "Sinon, au revoir")', () => {
    const t = step({ ...initialState(), node: 'status_after' }, { kind: 'timeout' }, ctx);
    expect(t.prompt).toMatchObject({ say: ['Merci de votre appel. Au revoir.'], hangup: true });
    expect(t.effect).toBeUndefined();
  });
  it('does not offer the usual basket again to a caller whose basket for this distribution is ordered', () => {
    const withBasket = { ...ctx, openBasket: 5 };
    const menu = step(initialState(), d('1'), withBasket);
    expect(menu.prompt.say.join(' ')).not.toContain('panier habituel');
    const t = step(menu.state, d('1'), withBasket);
    expect(t.state.node).toBe('order_menu');
    expect(t.prompt.say[0]).toBe('Votre panier 5 est déjà commandé pour cette distribution. Ce que vous commandez maintenant y sera ajouté.');
    expect(t.effect).toBeUndefined();
  });
  it('takes a spoken correction as one: the quantity said last stands', () => {
    const t = step({ ...initialState(), node: 'speech' }, { kind: 'speech', text: 'deux baguettes non plutôt trois baguettes et un poulet' }, ctx);
    expect(t.state.node).toBe('speech_confirm');
    expect(t.state.cart.map((l) => [ctx.products.byId.get(l.productId)?.name, l.quantity])).toEqual([['Baguette tradition', 3], ['Poulet fermier', 1]]);
  });
  it('understands what a caller says at the main menu in their own words', () => {
    const s = initialState();
    const said = (text: string) => step(s, { kind: 'speech', text }, ctx).state.node;
    expect(said("Je voudrais parler à quelqu'un")).toBe('operator_dial');
    expect(said("le standard s'il vous plaît")).toBe('operator_dial');
    expect(said('Où en est ma commande ?')).toBe('status_after');
    expect(said('je voudrais me faire livrer')).toBe('delivery_confirm');
    expect(said('Je voudrais commander.')).toBe('order_menu');
    expect(said('passer une commande')).toBe('order_menu');
    expect(said('peut-être')).toBe('main');
    // "une" alone is key 1; in a sentence, the sentence says what is wanted
    expect(said("une personne s'il vous plaît")).toBe('operator_dial');
    expect(said('une')).toBe('order_menu');
    const atOrderMenu = (text: string) => step({ ...initialState(), node: 'order_menu' }, { kind: 'speech', text }, ctx).state.node;
    expect(atOrderMenu("comme d'habitude")).toBe('reorder_confirm');
    expect(atOrderMenu('la même chose que la dernière fois')).toBe('reorder_confirm');
    expect(atOrderMenu('par numéro')).toBe('code_entry');
    expect(atOrderMenu('laisser un message')).toBe('record_order');
    expect(atOrderMenu('deux')).toBe('code_entry');
  });
  it('reprompts a limited number of times, then says goodbye', () => {
    let t = step(initialState(), { kind: 'timeout' }, ctx);
    for (let i = 1; i < MAX_REPROMPTS; i++) t = step(t.state, { kind: 'timeout' }, ctx);
    expect(t.prompt.hangup).toBeUndefined();
    t = step(t.state, { kind: 'timeout' }, ctx);
    expect(t.prompt.hangup).toBe(true);
    expect(t.effect).toBeUndefined();
  });
  it('opens a call-back task when an interrupted call had started an order', () => {
    let t = step({ ...initialState(), node: 'code_entry', reprompts: MAX_REPROMPTS }, { kind: 'timeout' }, ctx);
    expect(t.effect).toEqual({ kind: 'task', taskKind: 'interrupted_call' });
    t = step({ ...initialState(), node: 'record_order' }, { kind: 'recorded' }, ctx);
    expect(t.effect).toEqual({ kind: 'task', taskKind: 'order_to_enter' });
  });
  it('offers the rest of the basket again when a product ran out', () => {
    const t = step({ ...initialState(), node: 'reorder_confirm' }, d('1'), ctx);
    expect(t.effect).toMatchObject({ kind: 'place_order' });
    const after = t.after!({ kind: 'out_of_stock', productName: 'Oeufs (boîte de 6)', remaining: 0 });
    expect(after.state.node).toBe('review_confirm');
    expect(after.prompt.say[0]).toBe('Il n’y a plus d’oeufs.');
    expect(after.state.cart.map((l) => l.productId)).toEqual(['1', '20']);
  });
  it('understands spoken keys', () => {
    expect(speechToKey('Un.')).toBe('1');
    expect(speechToKey('zéro')).toBe('0');
    expect(speechToKey('étoile')).toBe('*');
    expect(speechToKey('oui')).toBe('1');
    expect(speechToKey('peut-être')).toBeNull();
  });
});

describe('what elderly callers do', () => {
  const walkFrom = (inputs: Input[], c = ctx) => {
    let t = start(c);
    for (const input of inputs) t = step(t.state, input, c);
    return t;
  };

  it('reads a whole order said at the order menu as an order, not as key 2', () => {
    const t = walkFrom([d('1'), { kind: 'speech', text: 'deux baguettes et un kilo de carottes' }]);
    expect(t.state.node).toBe('speech_confirm');
    expect(t.state.cart).toEqual([{ productId: '1', quantity: 2, requestedGrams: null }, { productId: '12', quantity: 1, requestedGrams: 1000 }]);
    expect(t.prompt.say[0]).toBe('J’ai compris: 2 Baguettes tradition, 1 kilo de Carottes. Total 4 euros 60.');
    // a menu word is still a key
    expect(walkFrom([d('1'), { kind: 'speech', text: 'deux' }]).state.node).toBe('code_entry');
  });

  it('promises no beep, and waits several seconds of silence before ending a spoken order', () => {
    const t = walkFrom([d('1'), d('3')]);
    expect(t.prompt.say.join(' ')).not.toMatch(/bip/);
    expect(t.prompt.gather?.speechTimeout).toBe(ORDER_SPEECH_PAUSE_S);
    expect(ORDER_SPEECH_PAUSE_S).toBeGreaterThanOrEqual(3);
    const xml = renderPrompt(t.prompt, { actionUrl: '/twilio/voice/step?seq=1', recordingCallbackUrl: '/twilio/recording', voice: 'Polly.Lea-Neural', language: 'fr-FR' });
    expect(xml).toContain(`speechTimeout="${ORDER_SPEECH_PAUSE_S}"`);
  });

  it('orders by code with quantity 1 by default, a key to change it, and star to correct', () => {
    let t = walkFrom([d('1'), d('2'), d('1#')]);
    expect(t.prompt.say.join(' ')).toBe('1 Baguette tradition, 1 euro 20. Pour l’ajouter, tapez 1. Pour une autre quantité, tapez 2. Pour corriger, tapez étoile.');
    t = step(t.state, d('*'), ctx);
    expect(t.state).toMatchObject({ node: 'code_entry', cart: [] });
    expect(t.prompt.say[0]).toBe('Ce produit n’est pas ajouté.');
    t = step(step(t.state, d('16#'), ctx).state, d('2'), ctx);
    expect(t.prompt.say.join(' ')).toBe('Combien en voulez-vous ? Tapez le nombre, puis dièse.');
    t = step(t.state, d('2#'), ctx);
    expect(t.prompt.say[0]).toBe('2 boîtes de 6 oeufs: c’est ajouté.');
    // once a product is added, the way is known: the prompts are brief, the keys the same
    expect(t.prompt.say[1]).toBe('Autre produit: numéro et dièse. Pour finir: 9 et dièse.');
    t = step(t.state, d('1#'), ctx);
    expect(t.prompt.say.join(' ')).toBe('1 Baguette tradition, 1 euro 20. Pour l’ajouter, 1. Pour l’ajouter et finir, 9.');
    t = step(t.state, d('9'), ctx);
    expect(t.state.node).toBe('review_confirm');
    expect(t.state.cart).toEqual([{ productId: '16', quantity: 2, requestedGrams: null }, { productId: '1', quantity: 1, requestedGrams: null }]);
  });

  it('says goodbye differently after wrong keys and after silence', () => {
    const invalid = { ...initialState(), reprompts: MAX_REPROMPTS } satisfies CallState;
    expect(step(invalid, d('7'), ctx).prompt.say[0]).toMatch(/^Ces touches ne correspondent à aucun choix\./);
    expect(step(invalid, { kind: 'timeout' }, ctx).prompt.say[0]).toMatch(/^Nous n’avons pas de réponse\./);
    expect(step({ ...invalid, node: 'code_entry' }, d('x'), ctx).prompt.say[0]).toContain('Nous allons vous rappeler pour votre commande.');
  });

  it('drops "Pour commander" from the greeting when orders are closed', () => {
    const closed = start({ ...ctx, orderOpen: false, nextOpens: 'lundi 7 décembre à 8 heures' });
    expect(closed.prompt.say.join(' ')).not.toContain('Pour commander');
    expect(closed.prompt.say.join(' ')).toContain('Les commandes sont fermées pour le moment. Elles ouvriront lundi 7 décembre à 8 heures.');
    expect(start(ctx).prompt.say.join(' ')).toContain('Pour commander, tapez 1.');
  });

  it('walks the printed catalogue sheet’s instructions through the menu and hears the product', () => {
    const printed = sheetInstructions(CODE_KEYS);
    // the keys as a reader of the sheet presses them, for product 16
    const keys = [...printed.matchAll(/(?:tapez|puis) (?:(\d) et dièse|(\d)|le numéro du produit et dièse)/g)].map((m) => (m[1] ? `${m[1]}#` : (m[2] ?? '16#')));
    expect(keys).toEqual(['1', '2', '16#', '1', '9#', '1']);
    let t = start(ctx);
    const heard: string[] = [];
    for (const k of keys) {
      t = step(t.state, d(k), ctx);
      heard.push(t.prompt.say.join(' '));
      if (t.effect?.kind === 'place_order') break;
    }
    expect(heard[2]).toMatch(/^1 boîte de 6 oeufs, 2 euros 40\./);
    expect(heard[4]).toContain('Votre commande: 1 boîte de 6 oeufs.');
    expect(t.effect).toEqual({ kind: 'place_order', lines: [{ productId: '16', quantity: 1, requestedGrams: null }] });
  });
});

describe('voice measures', () => {
  it('reads at least 90 % of the corpus said as speech', () => {
    const score = scoreVoicePath();
    expect(score.exact / score.total, score.failures.slice(0, 3).join('\n')).toBeGreaterThanOrEqual(0.9);
  });
  it('keeps the reorder path under 90 seconds of speech at 150 words a minute', () => {
    const words = walk(MAIN_PATHS[0]![1]).reduce((a, b) => a + b, 0);
    expect((words / 150) * 60).toBeLessThan(90);
  });
});

describe('spoken numbers and hours', () => {
  it('says quantities with plurals and packs, never parentheses', () => {
    expect(spokenItem(2, 'Baguette tradition')).toBe('2 Baguettes tradition');
    expect(spokenItem(1, 'Oeufs (boîte de 6)')).toBe('1 boîte de 6 oeufs');
    expect(spokenItem(3, 'Oeufs (boîte de 6)')).toBe('3 boîtes de 6 oeufs');
    expect(spokenItem(2, 'Yaourts nature (par 4)')).toBe('2 paquets de 4 yaourts nature');
    expect(spokenItem(2, 'Poulet fermier')).toBe('2 Poulets fermiers');
    expect(spokenItem(2, 'Pain de campagne 800 g')).toBe('2 Pains de campagne 800 g');
    expect(spokenItem(2, 'Botte de poireaux')).toBe('2 Bottes de poireaux');
    expect(spokenItem(1, 'Croissant')).toBe('1 Croissant');
  });
  it('says euros, grams and opening hours the French way', () => {
    expect(spokenEuros(2350)).toBe('23 euros 50');
    expect(spokenEuros(100)).toBe('1 euro');
    expect(spokenEuros(5)).toBe('5 centimes');
    expect(spokenGrams(1500)).toBe('1 kilo et demi');
    expect(spokenGrams(250)).toBe('250 grammes');
    expect(spokenHours([{ days: [1, 2, 3, 4, 5], from: '09:00', to: '12:00' }, { days: [2, 4], from: '14:00', to: '17:30' }])).toBe(
      'du lundi au vendredi de 9 heures à 12 heures, et le mardi et le jeudi de 14 heures à 17 heures 30',
    );
  });
  it('knows when the switchboard answers, in the group’s time zone', () => {
    const hours = [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '12:00' }];
    expect(operatorOpenAt(hours, new Date('2026-12-01T08:30:00Z'), 'Europe/Paris')).toBe(true); // Tuesday 9:30 Paris
    expect(operatorOpenAt(hours, new Date('2026-12-01T07:30:00Z'), 'Europe/Paris')).toBe(false); // 8:30 Paris
    expect(operatorOpenAt(hours, new Date('2026-12-05T09:30:00Z'), 'Europe/Paris')).toBe(false); // Saturday
  });
});
