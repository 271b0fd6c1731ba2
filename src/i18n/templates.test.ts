// Every sentence a resident reads or hears, filled with the demo group's real data, checked for
// what trips people up: a place name without its article, a plural missing, parentheses read
// aloud, hours written where they are said (and said where they are written), a phone number in
// international format, "Retrait" told to an order that will be delivered.
import { describe, expect, it } from 'vitest';
import { DEMO_GROUP, DEMO_PRODUCTS, DEMO_RELAY } from '../demo/demoData.js';
import { conversation } from './conversation.js';
import { toGsm7 } from './gsm7.js';
import { courierNotice, residentNotice, shortWhen, voiceNotice } from './notices.js';
import { dayAndHour, pickupWhen, sms, summaryLines } from './sms.js';
import { atPlace, sheetInstructions, spokenItem, spokenPickup, spokenWhen, voice, VOICE_STATUS } from './voice.js';
import { CODE_KEYS } from '../voice/menu.js';

const tz = DEMO_GROUP.timeZone;
const start = new Date('2026-12-04T15:00:00Z');
const end = new Date('2026-12-04T18:00:00Z');
const deliveryStart = new Date('2026-12-05T08:00:00Z');
const deliveryEnd = new Date('2026-12-05T11:00:00Z');
const place = DEMO_RELAY.name;
const phone = DEMO_GROUP.operatorPhone;
const pickup = pickupWhen(start, end, tz);
const slot = pickupWhen(deliveryStart, deliveryEnd, tz);
const closes = dayAndHour(new Date('2026-12-02T19:00:00Z'), tz);
const eggs = DEMO_PRODUCTS.find((p) => p.code === 16)!.name;
const baguette = DEMO_PRODUCTS.find((p) => p.code === 1)!.name;
const spokenCart = `${spokenItem(2, baguette)}, ${spokenItem(1, eggs)}`;
const lines = summaryLines([{ label: `2 ${baguette}`, cents: 240, estimated: false }, { label: `1 ${eggs}`, cents: 240, estimated: false }]);

/** Everything a resident reads (SMS), filled. */
const written: Record<string, string> = {
  ...Object.fromEntries(Object.keys(sms).map((k) => [k, k])),
  soldByPack: sms.soldByPack(6), help: sms.help(), askName: sms.askName(), nameSaved: sms.nameSaved('Madame Martin'), draft: sms.draft(lines, 480, false, pickup, place),
  addition: sms.addition(lines, 12, 960, false), confirmed: sms.confirmed(12, 480, false, pickup, place), added: sms.added(12, 960, false), draftDropped: sms.draftDropped(),
  nothingToConfirm: sms.nothingToConfirm(), notUnderstood: sms.notUnderstood(), unknownItems: sms.unknownItems(['tomates']), whichProduct: sms.whichProduct('fromage', ['Comté 18 mois', 'Tomme du Morvan']),
  howMany: sms.howMany('pommes'), choiceNotUnderstood: sms.choiceNotUnderstood(2), windowClosed: sms.windowClosed(closes, closes), noDistribution: sms.noDistribution(phone),
  notYetOpen: sms.notYetOpen(closes), outOfStock: sms.outOfStock(eggs, 2), status: sms.status(12, 'confirmé', 480, true, `Retrait ${pickup}, ${place}`), noOrder: sms.noOrder(),
  cancelAsk: sms.cancelAsk(12, 480), cancelled: sms.cancelled(12), cancelWhich: sms.cancelWhich([3, 6, 12]), additionDropped: sms.additionDropped(12), noSuchBasket: sms.noSuchBasket(9, [3, 12]), kept: sms.kept(), cancelTooLate: sms.cancelTooLate(phone), deliveryAskAddress: sms.deliveryAskAddress(),
  deliveryRequested: sms.deliveryRequested('12 rue du Pont, Lormes', slot), deliveryNoOrder: sms.deliveryNoOrder(), stopped: sms.stopped(), started: sms.started(),
  catalogueCategories: sms.catalogueCategories(['Pain', 'Oeufs']), cataloguePage: sms.cataloguePage([`16 ${eggs} 2,40 €`], true), catalogueUnknown: sms.catalogueUnknown('bijoux'), catalogueEnd: sms.catalogueEnd(),
  'conversation.when': conversation.when(pickup, place, closes, slot),
  'conversation.draftDelivery': conversation.draftDelivery(lines, 480, false, conversation.deliveryWanted(slot)),
  'conversation.confirmedDelivery': conversation.confirmedDelivery(12, 480, false, { address: '12 rue du Pont, Lormes', window: slot }),
  'notice.confirmed': residentNotice.confirmed(12, 480, false, pickup, place).sms,
  'notice.confirmedDelivery': residentNotice.confirmedDelivery(12, 480, false, slot).sms,
  'notice.ready': residentNotice.ready(12, pickup, place).sms,
  'notice.cancelled': residentNotice.cancelled(12, phone).sms,
  'notice.courierComing': residentNotice.courierComing(12, 'Julie', slot).sms,
  'notice.finalPrice': residentNotice.finalPrice(12, 512).sms,
};

/** Everything a resident hears (calls and spoken notices), filled. */
const spoken: Record<string, string> = {
  greeting: voice.greeting('Madame Martin', DEMO_GROUP.name), mainMenu: voice.mainMenu(), windowClosed: voice.windowClosed('lundi 7 décembre à 8 heures'),
  orderMenu: voice.orderMenu(true), noUsualBasket: voice.noUsualBasket(), usualAlready: voice.usualAlready(12), usualBasket: voice.usualBasket(spokenCart, '4 euros 80'), skipped: voice.skipped(eggs), confirmPrompt: voice.confirmPrompt(),
  codePrompt: voice.codePrompt(false), unknownCode: voice.unknownCode('99'), quantityPrompt: voice.quantityPrompt(), itemReadback: voice.itemReadback(spokenItem(1, eggs), '2 euros 40'),
  itemAdded: voice.itemAdded(), itemAddedAs: voice.itemAddedAs(spokenItem(2, eggs)), correctCode: voice.correctCode(), emptyCart: voice.emptyCart(), review: voice.review(spokenCart, '4 euros 80'),
  speechPrompt: voice.speechPrompt(), speechReadback: voice.speechReadback(spokenCart, '4 euros 80'), speechChoice: voice.speechChoice(), speechNotUnderstood: voice.speechNotUnderstood(),
  speechUnknown: voice.speechUnknown('tomates'), recordPrompt: voice.recordPrompt(), recordDone: voice.recordDone(),
  confirmed: voice.confirmed(12, spokenPickup(start, end, tz), place), confirmedDelivery: voice.confirmedDelivery(12, spokenPickup(start, end, tz)), addedToBasket: voice.addedToBasket(12, 'environ 14 euros 40', spokenPickup(start, end, tz), place), outOfStock: voice.outOfStock(eggs, 0),
  status: voice.status(12, VOICE_STATUS.confirmed!, '4 euros 80', `Retrait ${spokenPickup(start, end, tz)}, ${atPlace(place)}`), noOrder: voice.noOrder(), backToMenu: voice.backToMenu(),
  deliveryNoOrder: voice.deliveryNoOrder(), deliveryAddress: voice.deliveryAddress('12 rue du Pont, Lormes'), deliveryRecordAddress: voice.deliveryRecordAddress(),
  deliveryRequested: voice.deliveryRequested(spokenPickup(deliveryStart, deliveryEnd, tz)), deliveryAddressRecorded: voice.deliveryAddressRecorded(), transferring: voice.transferring(),
  operatorClosed: voice.operatorClosed('du lundi au vendredi de 9 heures à 12 heures'), operatorUnavailable: voice.operatorUnavailable(), leaveMessage: voice.leaveMessage(),
  messageRecorded: voice.messageRecorded(), repeatPrompt: voice.repeatPrompt(), invalidKey: voice.invalidKey(), goodbye: voice.goodbye(true), goodbyeInvalid: voice.goodbyeInvalid(false), goodbyeSimple: voice.goodbyeSimple(), technicalProblem: voice.technicalProblem(),
  lostThread: voice.lostThread(),
  'notice.confirmed': residentNotice.confirmed(12, 480, false, pickup, place).spoken,
  'notice.confirmedDelivery': residentNotice.confirmedDelivery(12, 480, false, slot).spoken,
  'notice.ready': residentNotice.ready(12, pickup, place).spoken,
  'notice.cancelled': residentNotice.cancelled(12, phone).spoken,
  'notice.courierComing': residentNotice.courierComing(12, 'Julie', slot).spoken,
  'notice.intro': voiceNotice.intro(DEMO_GROUP.name),
};

describe('French as residents read and hear it, on the demo data', () => {
  it('covers every SMS template and every spoken sentence', () => {
    expect(Object.keys(sms).every((k) => written[k] !== k)).toBe(true);
    expect(Object.keys(voice).filter((k) => !(k in spoken))).toEqual([]);
  });

  it('gives phone numbers in national format', () => {
    for (const [name, text] of Object.entries({ ...written, ...spoken })) expect(text, name).not.toMatch(/\+33|\+\d{6,}/);
    expect(written.noDistribution).toContain('03 86 22 00 00');
    expect(written['notice.cancelled']).toContain('03 86 22 00 00');
  });

  it('writes hours "16h-19h" and says them "de 16 heures à 19 heures"', () => {
    for (const [name, text] of Object.entries(written)) expect(text, name).not.toMatch(/\d heures/);
    for (const [name, text] of Object.entries(spoken)) expect(text, name).not.toMatch(/\d+h\d*\s*-|\d+h\b/);
    expect(spoken['notice.confirmed']).toContain('vendredi 4 décembre, de 16 heures à 19 heures');
    expect(spokenWhen('samedi 5 décembre 9h30-12h')).toBe('samedi 5 décembre, de 9 heures 30 à 12 heures');
  });

  it('says place names with their article, and reads no parentheses aloud', () => {
    for (const [name, text] of Object.entries(spoken)) {
      expect(text, name).not.toMatch(/[()]/);
      expect(text, name).not.toContain(`à ${place}`);
    }
    expect(spoken.confirmed).toContain('à l’Épicerie du centre');
    expect(atPlace('Mairie de Lormes')).toBe('à la Mairie de Lormes');
    expect(atPlace('Le Relais du Morvan')).toBe('au Relais du Morvan');
    expect(atPlace('Café de la place')).toBe('au Café de la place');
    expect(atPlace('Chez Paulette')).toBe('à Chez Paulette');
  });

  it('puts plurals on spoken quantities', () => {
    expect(spoken.usualBasket).toContain('2 Baguettes tradition, 1 boîte de 6 oeufs');
    expect(spoken.itemAddedAs).toBe('2 boîtes de 6 oeufs: c’est ajouté.');
  });

  it('never tells an order to be delivered "Retrait", and gives the courier the delivery slot', () => {
    for (const name of ['conversation.draftDelivery', 'conversation.confirmedDelivery', 'notice.confirmedDelivery', 'notice.courierComing']) {
      expect(written[name], name).not.toContain('Retrait');
      expect(written[name], name).toContain(slot);
    }
    expect(spoken['notice.confirmedDelivery']).not.toContain('Retrait');
    const courier = courierNotice.assignment({
      basket: 12, name: 'Madame Martin', address: '12 rue du Pont, Lormes', notes: null, phone: '06 12 34 56 78', relay: place,
      when: shortWhen(start, end, tz), slot: shortWhen(deliveryStart, deliveryEnd, tz),
    });
    expect(toGsm7(courier)).toContain('A livrer sam. 5/12 9h-12h.');
  });

  it('prints on the catalogue sheet the keys the menu uses', () => {
    expect(sheetInstructions(CODE_KEYS)).toBe(
      'Par téléphone, tapez 1 pour commander, puis 2 pour les numéros du catalogue, puis le numéro du produit et dièse, puis 1 pour l’ajouter (ou 2 pour changer la quantité). Pour terminer, tapez 9 et dièse, puis 1 pour confirmer.',
    );
  });
});
