import { describe, expect, it } from 'vitest';
import { demoContext, MAIN_PATHS, scoreVoicePath, walk } from '../../scripts/eval/voiceCorpus.js';
import { operatorOpenAt, spokenHours } from './callContext.js';
import { initialState, MAX_REPROMPTS, speechToKey, start, step } from './menu.js';
import { spokenEuros, spokenGrams } from '../i18n/voice.js';

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
    expect(after.prompt.say[0]).toBe('Il n’y a plus de Oeufs (boîte de 6).');
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
