import { describe, expect, it } from 'vitest';
import { countSegments } from '../sms/segments.js';
import { conversation } from './conversation.js';
import { toGsm7 } from './gsm7.js';

// realistic long values, as in sms.test.ts
const pickup = 'vendredi 4 décembre 16h-19h';
const place = 'Épicerie du centre, 2 place de l’Église';
const filled: Record<string, string> = {
  greeting: conversation.greeting(),
  thanks: conversation.thanks(),
  prices: conversation.prices([{ name: 'Comté 18 mois', price: '2,60 € les 100 g' }, { name: 'Tomme du Morvan', price: '2,10 € les 100 g' }, { name: 'Crottin de chèvre', price: '2,20 €' }]),
  perPiece: conversation.perPiece('20,70 €'),
  perPortion: conversation.perPortion('5,20 €', 200),
  priceWhich: conversation.priceWhich(),
  priceUnknown: conversation.priceUnknown('camembert au lait cru'),
  when: conversation.when(pickup, place, 'mercredi 2 décembre 20h', 'samedi 5 décembre 9h-12h'),
  whenNext: conversation.whenNext(pickup, place, 'mercredi 5 août 20h'),
  draftDelivery: conversation.draftDelivery('2 Baguette tradition 2,40 €\n1 kg Pommes environ 2,80 €', 520, true, 'Livraison à domicile samedi 5 décembre 9h-12h'),
  draftShort: conversation.draftShort(26, 123456, true, `Retrait ${pickup}, ${place}`),
  additionShort: conversation.additionShort(26, 128, 123456, true),
  pendingLines: conversation.pendingLines('2 Baguette tradition 2,40 €\n1 kg Pommes environ 2,80 €'),
  deliveryWanted: conversation.deliveryWanted('samedi 5 décembre 9h-12h'),
  duplicate: conversation.duplicate(),
  duplicateConfirmed: conversation.duplicateConfirmed(),
  confirmedDelivery: conversation.confirmedDelivery(128, 123456, true, { address: '12 rue du Pont-Neuf, appartement 3, 58140 Lormes', window: 'samedi 5 décembre 9h-12h' }),
  removedFromDraft: conversation.removedFromDraft('Oeufs plein air (boîte de 12), Crottin de chèvre et Lait cru'),
  draftEmptied: conversation.draftEmptied(),
  removed: conversation.removed('Oeufs plein air (boîte de 12) et Lait cru', 128, 123456, true),
  notInOrder: conversation.notInOrder('Poulet fermier'),
  usualPrefix: conversation.usualPrefix(),
  noUsual: conversation.noUsual(),
  usualAlready: conversation.usualAlready(128),
  usualGone: conversation.usualGone('Brioche tressée'),
  nameSavedPending: conversation.nameSavedPending('Marie-Françoise Delacroix-Beaumont'),
  afterStop: conversation.afterStop('2 baguettes'),
  others: conversation.others(3),
  more: conversation.more(),
};

describe('conversation templates', () => {
  it('cover every template', () => {
    expect(Object.keys(filled).sort()).toEqual(Object.keys(conversation).sort());
  });
  for (const [name, text] of Object.entries(filled)) {
    it(`${name}: GSM-7 as written (nothing lost in transliteration), within 3 segments`, () => {
      const sent = toGsm7(text);
      expect(countSegments(sent)).toMatchObject({ encoding: 'GSM-7' });
      expect(countSegments(sent).segments).toBeLessThanOrEqual(3);
    });
  }
  it('writes its own words in GSM-7', () => {
    for (const name of ['greeting', 'thanks', 'priceWhich', 'duplicate', 'duplicateConfirmed', 'draftEmptied', 'noUsual', 'usualPrefix']) expect(toGsm7(filled[name]!)).toBe(filled[name]);
  });
});
