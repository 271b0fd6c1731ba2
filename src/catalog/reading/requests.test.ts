import { describe, expect, it } from 'vitest';
import { CONVERSATIONS_HELD_OUT, loadConversations, scoreConversations } from '../../../scripts/eval/conversations.js';
import { demoReaderProducts } from '../../../scripts/eval/corpus.js';
import { createOrderReader } from './reader.js';
import { addressIn, createRequestReader } from './requests.js';

const readRequest = createRequestReader(createOrderReader(demoReaderProducts()));
const codes = (r: ReturnType<typeof readRequest>) => ('products' in r ? r.products.map((p) => p.code).sort((a, b) => a - b) : null);

describe('what residents ask beyond an order', () => {
  it('reads at least 95 % of the conversational corpus and of its held-out part right', () => {
    const cases = loadConversations();
    expect(cases.length).toBeGreaterThanOrEqual(150);
    for (const set of [cases, loadConversations(CONVERSATIONS_HELD_OUT)]) {
      const score = scoreConversations(set);
      expect(score.exact / score.total, JSON.stringify(score.failures.slice(0, 5), null, 1)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('tells a price question from an order: no line is read from "combien coûte les pommes"', () => {
    const r = readRequest('combien ça coûte les pommes');
    expect(r.kind).toBe('price');
    expect(codes(r)).toEqual([10]);
    expect(codes(readRequest("c'est combien le fromage"))).toEqual([20, 21, 22]);
    expect(readRequest('combien')).toEqual({ kind: 'price', products: [] });
  });

  it('removes a line, cancels the whole order, reorders the usual basket', () => {
    expect(codes(readRequest('enlevez les oeufs'))).toEqual([16]);
    expect(readRequest('enlevez les oeufs').kind).toBe('remove');
    expect(readRequest("j'en veux plus").kind).toBe('cancel');
    expect(readRequest('pareil que la dernière fois').kind).toBe('usual');
    // an order that says "comme d'habitude" is still an order
    expect(readRequest("comme d'habitude 2 baguettes").kind).toBe('order');
  });

  it('reads a delivery request inside an order, with its address, and lists no pleasantry as unknown', () => {
    const r = readRequest("Bonjour madame, j'espere que vous allez bien. 2 baguettes et 6 oeufs, qu'on me apporte a maison car je ne marche pas tres bien");
    expect(r.kind).toBe('order');
    if (r.kind !== 'order') return;
    expect(r.delivery).toEqual({ address: '' });
    expect(r.read.unknown).toEqual([]);
    expect(r.read.lines.map((l) => l.product.code)).toEqual([1, 16]);
    const withAddress = readRequest('1 baguette a livrer chez moi 3 rue des Lilas');
    expect(withAddress.kind === 'order' && withAddress.delivery).toEqual({ address: '3 rue des Lilas' });
    expect(addressIn('LIVRAISON 3 chemin des Vignes, 58140 Lormes')).toBe('3 chemin des Vignes, 58140 Lormes');
    expect(addressIn('a domicile svp')).toBe('');
  });

  it('answers courtesy as courtesy, even when a word looks like a product', () => {
    expect(readRequest('mille merci').kind).toBe('thanks');
    expect(readRequest('Bonjour, comment allez vous ?').kind).toBe('greeting');
    expect(readRequest("c'est quand la livraison ?").kind).toBe('when');
  });

  it('reads the order after a resident introduces themselves without a comma', () => {
    const r = readRequest('Bonjour je suis Mme Roux je voudrais deux kilos de pommes de terre et un poulet. Merci');
    expect(r.kind).toBe('order');
    if (r.kind === 'order') expect(r.read.lines.map((l) => l.product.name).sort()).toEqual(['Pommes de terre', 'Poulet fermier'].sort());
    expect(readRequest("Bonjour c'est Mme Martin, 2 baguettes et un poulet svp").kind).toBe('order');
  });

  it('never throws on odd input', () => {
    for (const t of ['', '   ', '🙂🙂', '?'.repeat(1600), 'combien '.repeat(200), 'enlevez', '\u0000\u200b', 'x'.repeat(5000)]) {
      expect(() => readRequest(t)).not.toThrow();
    }
  });
});
