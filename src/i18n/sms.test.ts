import { describe, expect, it } from 'vitest';
import { countSegments } from '../sms/segments.js';
import { toGsm7 } from './gsm7.js';
import { dayAndHour, euros, pickupWhen, sms, summaryLines } from './sms.js';

// realistic long values: the longest names, addresses and amounts a reply may carry
const pickup = pickupWhen(new Date('2026-12-04T15:00:00Z'), new Date('2026-12-04T18:00:00Z'), 'Europe/Paris');
const opens = dayAndHour(new Date('2026-08-05T18:00:00Z'), 'Europe/Paris'); // "mercredi 5 août 20h": û
const place = 'Épicerie du centre, 2 place de l’Église';
const lines = summaryLines([
  { label: '2 Pain de campagne 800 g', cents: 900, estimated: false },
  { label: '1,5 kg Pommes de terre', cents: 285, estimated: true },
  { label: '2 x 200 g Comté 18 mois', cents: 1040, estimated: true },
  { label: '2 Oeufs plein air (boîte de 12)', cents: 840, estimated: false, note: '18 = 2 x 12' },
]);
const filled: Record<string, string> = {
  soldByPack: sms.soldByPack(6),
  help: sms.help(),
  askName: sms.askName(),
  nameSaved: sms.nameSaved('Marie-Françoise Delacroix-Beaumont'),
  draft: sms.draft(lines, 3065, true, pickup, place),
  addition: sms.addition(lines, 128, 12345, true),
  confirmed: sms.confirmed(128, 123456, true, pickup, place),
  added: sms.added(128, 12345, true),
  draftDropped: sms.draftDropped(),
  nothingToConfirm: sms.nothingToConfirm(),
  notUnderstood: sms.notUnderstood(),
  unknownItems: sms.unknownItems(['camembert au lait cru', 'jambon blanc', 'vin rouge']),
  whichProduct: sms.whichProduct('fromage', ['Comté 18 mois', 'Tomme du Morvan', 'Crottin de chèvre', 'Fromage blanc en faisselle']),
  howMany: sms.howMany('deux-trois pommes de terre'),
  choiceNotUnderstood: sms.choiceNotUnderstood(4),
  windowClosed: sms.windowClosed(opens, opens),
  noDistribution: sms.noDistribution('+33386220000'),
  notYetOpen: sms.notYetOpen(opens),
  outOfStock: sms.outOfStock('Oeufs plein air (boîte de 12)', 3),
  status: sms.status(128, 'confirmé', 123456, false, `Retrait ${pickup}, ${place}`),
  noOrder: sms.noOrder(),
  cancelAsk: sms.cancelAsk(128, 123456),
  cancelled: sms.cancelled(128),
  cancelWhich: sms.cancelWhich([12, 128, 1024]),
  additionDropped: sms.additionDropped(1024),
  noSuchBasket: sms.noSuchBasket(1999, [12, 128, 1024]),
  kept: sms.kept(),
  cancelTooLate: sms.cancelTooLate('+33386220000'),
  deliveryAskAddress: sms.deliveryAskAddress(),
  deliveryRequested: sms.deliveryRequested('12 rue du Pont-Neuf, appartement 3, 58140 Lormes', pickup),
  deliveryNoOrder: sms.deliveryNoOrder(),
  stopped: sms.stopped(),
  started: sms.started(),
  catalogueCategories: sms.catalogueCategories(['Pain', 'Fruits et légumes', 'Oeufs', 'Fromages', 'Crèmerie', 'Volailles', 'Épicerie', 'Hygiène']),
  catalogueUnknown: sms.catalogueUnknown('bijouterie fantaisie'),
  catalogueEnd: sms.catalogueEnd(),
};

describe('SMS templates', () => {
  it('cover every template', () => {
    expect(Object.keys(filled).sort()).toEqual(Object.keys(sms).filter((k) => k !== 'cataloguePage').sort());
  });
  for (const [name, text] of Object.entries(filled)) {
    it(`${name}: stays in GSM-7 once sent, within 3 segments`, () => {
      const sent = toGsm7(text);
      const cost = countSegments(sent);
      expect(cost.encoding).toBe('GSM-7');
      expect(cost.segments).toBeLessThanOrEqual(3);
    });
  }
  it('writes the templates themselves in GSM-7, so nothing is lost in transliteration', () => {
    for (const name of ['help', 'askName', 'draftDropped', 'notUnderstood', 'stopped', 'started', 'noOrder', 'deliveryAskAddress']) {
      expect(toGsm7(filled[name]!)).toBe(filled[name]);
    }
  });
  it('writes amounts the French way', () => {
    expect(euros(120)).toBe('1,20 €');
    expect(euros(5)).toBe('0,05 €');
    expect(euros(123456)).toBe('1234,56 €');
    expect(pickup).toBe('vendredi 4 décembre 16h-19h');
  });
});
