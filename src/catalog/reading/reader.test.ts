import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoReaderProducts, loadCorpus, notation, scoreReader } from '../../../scripts/eval/corpus.js';
import { createOrderReader } from './reader.js';

const read = createOrderReader(demoReaderProducts());

describe('the French order reader', () => {
  it('reads at least 95 % of the labelled corpus exactly', () => {
    const cases = loadCorpus();
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const score = scoreReader(cases);
    expect(score.exact / score.total, JSON.stringify(score.failures.slice(0, 5), null, 1)).toBeGreaterThanOrEqual(0.95);
  });

  it('reads at least 95 % of the held-out texts exactly', () => {
    const score = scoreReader(loadCorpus(path.resolve('test/corpus/sms-orders-heldout.txt')));
    expect(score.exact / score.total).toBeGreaterThanOrEqual(0.95);
  });

  it('says how it converted a quantity', () => {
    const eggs = read('10 oeufs').lines[0]!;
    expect(eggs).toMatchObject({ quantity: 2, notes: [{ kind: 'packs_rounded', asked: 10, packs: 2, packSize: 6 }] });
    const chicken = read('2 kg de poulet').lines[0]!;
    expect(chicken.notes).toEqual([{ kind: 'weight_to_pieces', grams: 2000, pieces: 1 }]);
    expect(read('2 comtés').lines[0]!.notes).toEqual([{ kind: 'portions', portions: 2, portionGrams: 200 }]);
    expect(read('une baguete').lines[0]!.notes).toEqual([{ kind: 'spelling', written: 'baguete' }]);
  });

  it('asks which product for an ambiguous word, keeping the rest of the order', () => {
    const r = read('2 baguettes et 2 fromages');
    expect(notation(r)).toEqual(['1x2', '?']);
    const q = r.questions[0]!;
    expect(q.kind).toBe('which_product');
    if (q.kind === 'which_product') {
      expect(q.options.map((o) => o.code).sort()).toEqual([20, 21, 22]);
      expect(q.quantity.count).toBe(2);
    }
  });

  it('names what it does not know and keeps the rest', () => {
    const r = read('1 poulet et 2 kilos de tomates');
    expect(notation(r)).toEqual(['!', '30x1']);
    expect(r.unknown).toEqual(['tomates']);
  });

  it('never throws on odd input', () => {
    for (const t of ['', '   ', '🙂🙂', '1'.repeat(1600), 'x'.repeat(1600), '0 baguette', '-3 croissants', '99999999999999999999 pommes', '1,2,3,4', '\u0000\u200b', '💩 et 2 baguettes']) {
      expect(() => read(t)).not.toThrow();
    }
    expect(read('0 baguette').lines).toEqual([]);
  });
});
