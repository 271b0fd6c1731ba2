import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOrderService } from '../src/orders/orderService.js';
import type { Db } from '../src/platform/db/client.js';
import { buildTestApp } from './helpers/app.js';
import { SimulatedCall } from './helpers/call.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';

let db: Db;
let app: Express;
let g: TestGroup;
const ALWAYS = [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '23:59' }];

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  ({ app } = buildTestApp(db));
  g = await createTestGroup(db);
  await db.group.update({ where: { id: g.groupId }, data: { operatorPhone: '+33386220000', operatorHours: ALWAYS } });
});

const call = (from = uniqueMobile()) => new SimulatedCall(app, from, g.number);
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

async function customerWithUsualBasket() {
  const phone = uniqueMobile();
  const customer = await db.customer.create({ data: { groupId: g.groupId, phone, name: 'Madame Martin', address: '12 rue du Pont, Lormes' } });
  const orders = createOrderService({ db });
  const previous = await orders.placeOrder({ groupId: g.groupId, customerId: customer.id, distributionId: g.distributionId, channel: 'voice', confirm: true, lines: [{ productId: g.products.baguette, quantity: 2 }, { productId: g.products.oeufs, quantity: 1 }] });
  await db.order.update({ where: { id: previous.id }, data: { status: 'collected' } });
  return { phone, customer };
}

describe('the voice menu, walked as Twilio would', () => {
  it('reorders the usual basket in two key presses, and says the basket number', async () => {
    const { phone, customer } = await customerWithUsualBasket();
    const c = call(phone);
    await c.start();
    expect(c.said()[0]).toBe('Bonjour Madame Martin. Bienvenue au Panier de Test.');
    await c.press('1');
    expect(c.said().join(' ')).toContain('Pour votre panier habituel, tapez 1.');
    await c.press('1');
    // plurals, and the pack said instead of its parentheses
    expect(c.said().join(' ')).toBe('Votre panier habituel: 2 Baguettes tradition, 1 boîte de 6 oeufs. Total 4 euros 80. Pour confirmer, tapez 1. Pour annuler, tapez 2.');
    await c.press('1');
    expect(c.said()[0]).toMatch(/^Commande confirmée, panier \d+\. Retrait .+, à l’Epicerie test\. Au revoir\.$/);
    expect(c.ended).toBe(true);
    const placed = await db.order.findFirstOrThrow({ where: { customerId: customer.id, status: 'confirmed', channel: 'voice' }, include: { lines: true } });
    expect(placed.lines.map((l) => [l.productName, l.quantity]).sort()).toEqual([['Baguette tradition', 2], ['Oeufs (boite de 6)', 1]]);
    // the whole reorder path, every prompt counted, stays under 90 s at 150 words a minute
    expect(words(c.transcript())).toBeLessThanOrEqual(225);
  });

  it('takes an order by product codes, reads it back, and confirms it', async () => {
    const c = call();
    await c.start();
    await c.press('1');
    await c.press('2');
    expect(c.said().join(' ')).toContain('Tapez le numéro du produit, puis dièse.');
    await c.press('1#');
    // quantity 1 by default, a key to change it
    expect(c.said().join(' ')).toBe('1 Baguette tradition, 1 euro 20. Pour l’ajouter, tapez 1. Pour une autre quantité, tapez 2. Pour corriger, tapez étoile.');
    await c.press('2');
    await c.press('3#');
    expect(c.said().join(' ')).toContain('3 Baguettes tradition: c’est ajouté.');
    await c.press('99#');
    expect(c.said().join(' ')).toContain('Le numéro 99 n’existe pas dans le catalogue.');
    await c.press('10#');
    await c.press('2');
    await c.press('2#');
    await c.press('9#');
    expect(c.said().join(' ')).toContain('Votre commande: 3 Baguettes tradition, 2 kilos de Pommes. Total environ 9 euros 20.');
    await c.press('1');
    expect(c.said()[0]).toMatch(/^Commande confirmée, panier \d+\./);
    const session = await db.callSession.findUniqueOrThrow({ where: { callSid: c.callSid } });
    const order = await db.order.findFirstOrThrow({ where: { customerId: session.customerId!, channel: 'voice' }, include: { lines: true } });
    expect(order.estimatedCents).toBe(360 + 560);
  });

  it('takes an order said in the caller’s own words through the SMS reader', async () => {
    const c = call();
    await c.start();
    await c.press('1');
    await c.press('3');
    expect(c.twiml).toMatch(/<Gather input="speech"[^>]*language="fr-FR"[^>]*speechModel="phone_call"[^>]*hints="Baguette tradition, Croissant/);
    await c.speak('deux baguettes et un kilo de pommes');
    expect(c.said().join(' ')).toContain('J’ai compris: 2 Baguettes tradition, 1 kilo de Pommes. Total environ 5 euros 20.');
    await c.press('1');
    expect(c.said()[0]).toMatch(/^Commande confirmée, panier \d+\./);
  });

  it('brings the reordered basket home to a caller set to home delivery, and says so', async () => {
    const { phone, customer } = await customerWithUsualBasket();
    await db.customer.update({ where: { id: customer.id }, data: { deliveryByDefault: true } });
    const c = call(phone);
    await c.start();
    await c.press('1');
    await c.press('1');
    await c.press('1');
    expect(c.said()[0]).toMatch(/^Commande confirmée, panier \d+\. Livraison à domicile[^.]*\. Au revoir\.$/);
    const order = await db.order.findFirstOrThrow({ where: { customerId: customer.id, status: 'confirmed' }, include: { delivery: true } });
    expect([order.fulfilment, order.delivery?.status, order.delivery?.address]).toEqual(['delivery', 'requested', '12 rue du Pont, Lormes']);
  });

  it('does not offer the usual basket again once this distribution\'s basket is ordered', async () => {
    const { phone, customer } = await customerWithUsualBasket();
    const current = await createOrderService({ db }).placeOrder({ groupId: g.groupId, customerId: customer.id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const c = call(phone);
    await c.start();
    await c.press('1');
    expect(c.said().join(' ')).not.toContain('panier habituel');
    await c.press('1');
    expect(c.said()[0]).toBe(`Votre panier ${current.basketNumber} est déjà commandé pour cette distribution. Ce que vous commandez maintenant y sera ajouté.`);
    expect(await db.order.count({ where: { customerId: customer.id, status: 'confirmed' } })).toBe(1);
  });

  it('adds a phone order to the basket the caller already has for that distribution, as an SMS does', async () => {
    const phone = uniqueMobile();
    const customer = await db.customer.create({ data: { groupId: g.groupId, phone, name: 'Monsieur Roux' } });
    const first = await createOrderService({ db }).placeOrder({ groupId: g.groupId, customerId: customer.id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const c = call(phone);
    await c.start();
    await c.press('1');
    await c.press('3');
    await c.speak('deux croissants');
    await c.press('1');
    expect(c.said()[0]).toBe(`C’est ajouté à votre panier ${first.basketNumber}. Nouveau total 3 euros 40. Retrait ${c.said()[0]!.match(/Retrait (.+), à/)![1]}, à l’Epicerie test. Au revoir.`);
    const baskets = await db.order.findMany({ where: { customerId: customer.id, status: { not: 'cancelled' } }, include: { lines: true } });
    expect(baskets).toHaveLength(1);
    expect(baskets[0]!.lines.map((l) => [l.productName, l.quantity]).sort()).toEqual([['Baguette tradition', 1], ['Croissant', 2]]);
  });

  it('turns speech it cannot read twice into a message for the operator', async () => {
    const c = call();
    await c.start();
    await c.press('1');
    await c.press('3');
    await c.speak('euh je sais pas trop');
    expect(c.said().join(' ')).toContain('Je n’ai pas bien compris.');
    await c.speak('bof');
    expect(c.twiml).toContain('<Record');
    await c.record(40);
    expect(c.said().join(' ')).toContain('votre message est enregistré');
    const task = await db.callTask.findFirstOrThrow({ where: { callSession: { callSid: c.callSid } } });
    expect(task).toMatchObject({ kind: 'order_to_enter', status: 'open', recordingSeconds: 40 });
    expect(task.recordingUrl).toMatch(/Recordings\/RE/);
  });

  it('leaves the order as a voicemail for the operator', async () => {
    const c = call();
    await c.start();
    await c.press('1');
    await c.press('4');
    await c.record();
    expect(c.ended).toBe(true);
    expect(await db.callTask.count({ where: { callSession: { callSid: c.callSid }, kind: 'order_to_enter' } })).toBe(1);
  });

  it('says where the order stands, and goes back to the menu on star', async () => {
    const { phone } = await customerWithUsualBasket();
    const orders = createOrderService({ db });
    const customer = await db.customer.findFirstOrThrow({ where: { phone } });
    await orders.placeOrder({ groupId: g.groupId, customerId: customer.id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.comte, quantity: 1 }] });
    const c = call(phone);
    await c.start();
    await c.press('2');
    expect(c.said()[0]).toMatch(/^Panier numéro \d+, confirmé\. Total environ 5 euros 20\. Retrait \S+ \d+ \S+, de \d+ heures( \d+)? à \d+ heures( \d+)?, à l’Epicerie test\.$/);
    await c.press('*');
    expect(c.said().join(' ')).toContain('Pour commander, tapez 1.');
  });

  it('asks for home delivery at the address on file', async () => {
    const { phone } = await customerWithUsualBasket();
    const customer = await db.customer.findFirstOrThrow({ where: { phone } });
    await createOrderService({ db }).placeOrder({ groupId: g.groupId, customerId: customer.id, distributionId: g.distributionId, channel: 'voice', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const c = call(phone);
    await c.start();
    await c.press('3');
    expect(c.said()[0]).toBe('Nous livrerons au 12 rue du Pont, Lormes. Pour confirmer, tapez 1. Pour donner une autre adresse, tapez 2.');
    await c.press('1');
    expect(c.said()[0]).toContain('votre demande de livraison est transmise');
    const order = await db.order.findFirstOrThrow({ where: { customerId: customer.id, status: 'confirmed' }, include: { delivery: true } });
    expect(order.delivery).toMatchObject({ address: '12 rue du Pont, Lormes', status: 'requested' });
  });

  it('records a spoken address when none is on file', async () => {
    const c = call();
    await c.start();
    await c.press('1');
    await c.press('2');
    await c.press('1#');
    await c.press('9');
    await c.press('1');
    const again = call(c.from);
    await again.start();
    await again.press('3');
    expect(again.said()[0]).toContain('dites votre adresse');
    await again.record();
    expect(await db.callTask.count({ where: { callSession: { callSid: again.callSid }, kind: 'delivery_address' } })).toBe(1);
  });

  it('puts the caller through to the switchboard, and takes a message when nobody answers', async () => {
    const c = call();
    await c.start();
    await c.press('0');
    expect(c.twiml).toMatch(/<Dial action="[^"]+" method="POST" timeout="20">\+33386220000<\/Dial>/);
    await c.dialEnds('no-answer');
    expect(c.said().join(' ')).toContain('Personne n’est disponible pour le moment.');
    await c.record();
    expect(await db.callTask.count({ where: { callSession: { callSid: c.callSid }, kind: 'call_back' } })).toBe(1);
    const answered = call();
    await answered.start();
    await answered.press('0');
    await answered.dialEnds('completed');
    expect(answered.ended).toBe(true);
  });

  it('says the opening hours outside them and takes a message', async () => {
    await db.group.update({ where: { id: g.groupId }, data: { operatorHours: [] } });
    try {
      const c = call();
      await c.start();
      await c.press('0');
      expect(c.said()[0]).toBe('Le standard est ouvert sur rendez-vous.');
      expect(c.twiml).toContain('<Record');
    } finally {
      await db.group.update({ where: { id: g.groupId }, data: { operatorHours: ALWAYS } });
    }
  });

  it('asks again after silence, then says goodbye, with a call-back only when an order was started', async () => {
    const quiet = call();
    await quiet.start();
    await quiet.silence();
    expect(quiet.said()[0]).toBe('Je n’ai pas entendu de réponse.');
    await quiet.silence();
    await quiet.silence();
    expect(quiet.said()[0]).toContain('Au revoir.');
    expect(quiet.ended).toBe(true);
    expect(await db.callTask.count({ where: { callSession: { callSid: quiet.callSid } } })).toBe(0);

    const started = call();
    await started.start();
    await started.press('1');
    await started.press('2');
    await started.silence();
    await started.silence();
    await started.silence();
    expect(started.ended).toBe(true);
    expect(await db.callTask.count({ where: { callSession: { callSid: started.callSid }, kind: 'interrupted_call' } })).toBe(1);
  });

  it('answers a wrong key, and repeats on star', async () => {
    const c = call();
    await c.start();
    await c.press('7');
    expect(c.said()[0]).toBe('Ce choix n’existe pas.');
    await c.press('*');
    expect(c.said()[0]).toContain('Pour commander, tapez 1.');
    await c.speak('deux');
    expect(c.said()[0]).toMatch(/^Vous n’avez pas de commande en cours\./);
  });

  it('answers a replayed step with the same TwiML and does not order twice', async () => {
    const { phone, customer } = await customerWithUsualBasket();
    const c = call(phone);
    await c.start();
    await c.press('1');
    await c.press('1');
    const confirmStep = c.twiml;
    await c.press('1');
    const first = c.twiml;
    // Twilio replays the same request (same seq)
    c.twiml = confirmStep;
    await c.press('1');
    expect(c.twiml).toBe(first);
    expect(await db.order.count({ where: { customerId: customer.id, status: 'confirmed' } })).toBe(1);
  });

  it('says when ordering is closed', async () => {
    const later = buildTestApp(db, { now: () => new Date(Date.now() - 3 * 24 * 3600_000) }).app;
    const c = new SimulatedCall(later, uniqueMobile(), g.number);
    await c.start();
    expect(c.said()[1]).toMatch(/^Les commandes sont fermées pour le moment\. Elles ouvriront .+\.$/);
    await c.press('1');
    expect(c.said()[0]).toMatch(/^Les commandes sont fermées/);
  });
});
