import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderService } from '../src/orders/orderService.js';
import type { Db } from '../src/platform/db/client.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { postSms, replyTo, smsTexter, startSmsWorld } from './helpers/sms.js';
import { waitFor } from './helpers/pipeline.js';

let db: Db;
let world: Awaited<ReturnType<typeof startSmsWorld>>;
let g: TestGroup;
const texter = smsTexter({ db: () => db, app: () => world.app, number: () => g.number, twilio: () => world.twilio });
const text = (from: string, body: string, sid?: string, to?: string) => texter(from, body, { sid, to });

afterAll(() => world?.stop());

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  world = await startSmsWorld(db);
  g = await createTestGroup(db, { croissantStock: 5 });
  await db.product.update({ where: { id: g.products.comte }, data: { aliases: ['comte', 'fromage'], category: 'Fromages' } });
  const producer = await db.producer.findFirstOrThrow({ where: { groupId: g.groupId } });
  await db.product.create({ data: { groupId: g.groupId, producerId: producer.id, code: 21, name: 'Tomme', category: 'Fromages', unit: 'g100', priceCents: 210, variableWeight: true, portionGrams: 250, aliases: ['fromage'] } });
  await db.product.create({ data: { groupId: g.groupId, producerId: producer.id, code: 23, name: 'Yaourts nature (par 4)', category: 'Cremerie', unit: 'piece', priceCents: 320, packSize: 4, aliases: ['yaourt'] } });
});

describe('ordering by SMS', () => {
  it('takes an order from someone new, confirms it on OUI, then asks and keeps their name', async () => {
    const phone = uniqueMobile();
    const draft = await text(phone, 'Bonjour, je voudrais 2 baguettes et 1 kg de pommes. Merci');
    expect(draft).toContain('Vous commandez:\n2 Baguette tradition 2,40 €\n1 kg Pommes environ 2,80 €\nTotal environ 5,20 €.');
    expect(draft).toContain('Répondez OUI pour confirmer ou NON pour annuler.');
    expect(draft).toContain('quel est votre nom ?');
    const customer = await db.customer.findFirstOrThrow({ where: { groupId: g.groupId, phone } });
    expect(await db.order.findFirst({ where: { customerId: customer.id } })).toMatchObject({ status: 'draft', basketNumber: null, channel: 'sms' });
    // the draft lapses when the order window closes
    const distribution = await db.distribution.findUniqueOrThrow({ where: { id: g.distributionId } });
    const conversation = await db.smsConversation.findUniqueOrThrow({ where: { customerId: customer.id } });
    expect(conversation.expiresAt.getTime()).toBe(distribution.closesAt.getTime());

    const confirmed = await text(phone, 'oui merci');
    expect(confirmed).toMatch(/^Commande confirmée, panier \d+\. Total environ 5,20 €\. Retrait .+, Epicerie test\. Prix exact à la pesée\. Merci !$/);
    expect(await db.order.findFirst({ where: { customerId: customer.id } })).toMatchObject({ status: 'confirmed' });

    expect(await text(phone, 'Jeanne Dubois')).toBe("Merci Jeanne Dubois, c'est noté.");
    expect((await db.customer.findUniqueOrThrow({ where: { id: customer.id } })).name).toBe('Jeanne Dubois');
    // asked once only
    expect(await text(phone, 'SUIVI')).not.toContain('nom');
  });

  it('adds a second text sent before OUI to the same draft', async () => {
    const phone = uniqueMobile();
    await text(phone, '1 baguette');
    const both = await text(phone, 'et une boite d oeufs');
    expect(both).toContain('1 Baguette tradition 1,20 €\n1 Oeufs (boite de 6) 2,40 €\nTotal 3,60 €.');
    expect(await text(phone, 'oui')).toMatch(/^Commande confirmée, panier \d+\. Total 3,60 €/);
  });

  it('says plainly why a count asked became whole packs', async () => {
    expect(await text(uniqueMobile(), '6 yaourts')).toMatch(/^Vous commandez:\n2 Yaourts nature \(par 4\) 6,40 € \(vendu par 4\)\n/);
  });

  it('drops the draft on NON', async () => {
    const phone = uniqueMobile();
    await text(phone, '1 baguette');
    expect(await text(phone, 'non')).toContain("C'est annulé, rien n'est commandé.");
    const orders = await db.order.findMany({ where: { customer: { phone } } });
    expect(orders.map((o) => o.status)).toEqual(['cancelled']);
  });

  it('asks which product for an ambiguous word and keeps the rest', async () => {
    const phone = uniqueMobile();
    const question = await text(phone, '2 fromages et 1 baguette');
    expect(question).toMatch(/^Pour "fromages": 1 Comte, 2 Tomme\. Répondez avec le numéro\./);
    const draft = await text(phone, '2');
    expect(draft).toContain('1 Baguette tradition 1,20 €');
    expect(draft).toContain('2 x 250 g Tomme environ 10,50 €');
    // the question is answered: a number now is read as a product code (there is no code 7)
    expect(await text(phone, '7')).toContain('Pas au catalogue: 7.');
  });

  it('says "environ" for a new total only when the basket holds weighed goods', async () => {
    const phone = uniqueMobile();
    await text(phone, '1 tomme');
    await text(phone, 'oui');
    expect(await text(phone, 'et 1 baguette')).toMatch(/\nNouveau total environ [\d,]+ €\./);
    expect(await text(phone, 'oui')).toMatch(/^Ajout confirmé au panier \d+\. Nouveau total environ [\d,]+ €\./);
    // the weighed cheese taken out: what is left is priced exactly
    expect(await text(phone, 'enlevez la tomme')).toMatch(/^C'est retiré du panier \d+: Tomme\. Nouveau total 1,20 €\.$/);
  });

  it('adds a later text to the confirmed order after OUI', async () => {
    const phone = uniqueMobile();
    await text(phone, '1 baguette');
    await text(phone, 'oui');
    const addition = await text(phone, 'et aussi 4 yaourts');
    // nothing weighed: the total is exact, not "environ"
    expect(addition).toMatch(/^Vous ajoutez au panier \d+:\n1 Yaourts nature \(par 4\) 3,20 €\nNouveau total 4,40 €\./);
    expect(await text(phone, 'ok')).toMatch(/^Ajout confirmé au panier \d+\. Nouveau total 4,40 €\./);
    // another addition declined: the basket stays as it was, and the reply says so
    await text(phone, 'et 2 baguettes');
    expect(await text(phone, 'non')).toMatch(/^L'ajout est annulé\. Votre panier \d+ reste comme avant\.$/);
    const orders = await db.order.findMany({ where: { customer: { phone }, status: 'confirmed' }, include: { lines: true } });
    expect(orders).toHaveLength(1);
    expect(orders[0]!.lines).toHaveLength(2);
    expect(orders[0]!.estimatedCents).toBe(440);
  });

  it('tells where the order stands, cancels it after confirmation, and says so', async () => {
    const phone = uniqueMobile();
    await text(phone, '2 baguettes');
    await text(phone, 'oui');
    expect(await text(phone, 'où en est ma commande ?')).toMatch(/^Panier \d+: confirmé, 2,40 €\. Retrait .+, Epicerie test\.$/);
    expect(await text(phone, 'ANNULER')).toMatch(/^Annuler le panier \d+ \(2,40 €\) \? Répondez OUI pour annuler, NON pour le garder\./);
    expect(await text(phone, 'oui')).toMatch(/^Panier \d+ annulé\./);
    expect(await text(phone, 'suivi')).toContain("Vous n'avez pas de commande en cours.");
  });

  it('reads the first order of a newcomer who introduces herself without a comma', async () => {
    const reply = await text(uniqueMobile(), 'Bonjour je suis Mme Roux je voudrais deux baguettes. Merci');
    expect(reply).toMatch(/^Vous commandez:\n2 Baguette/);
  });

  it('takes a yes said with thanks as a yes when an order waits for it, and as thanks otherwise', async () => {
    const phone = uniqueMobile();
    await text(phone, '2 baguettes');
    expect(await text(phone, "Oui c'est parfait merci beaucoup")).toMatch(/^Commande confirmée, panier \d+\./);
    expect(await text(phone, "oui c'est parfait merci")).toBe('Avec plaisir ! Bonne journée.');
    expect(await db.order.count({ where: { customer: { phone }, status: 'confirmed' } })).toBe(1);
  });

  it('with two baskets, asks which one to cancel, and cancels the one named, never the other', async () => {
    const phone = uniqueMobile();
    await text(phone, '2 baguettes');
    await text(phone, 'oui');
    const first = await db.order.findFirstOrThrow({ where: { customer: { phone }, status: 'confirmed' } });
    // a second basket, entered by the switchboard after a call
    const second = await createOrderService({ db }).placeOrder({
      groupId: g.groupId, customerId: first.customerId, distributionId: g.distributionId, channel: 'operator', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }],
    });
    const [a, b] = [first.basketNumber!, second.basketNumber!];
    expect(await text(phone, 'ANNULER')).toBe(`Vous avez les paniers ${a} et ${b}. Lequel annuler ? Répondez par exemple ANNULER ${b}.`);
    expect(await text(phone, 'je veux annuler ma commande')).toBe(`Vous avez les paniers ${a} et ${b}. Lequel annuler ? Répondez par exemple ANNULER ${b}.`);
    expect(await text(phone, 'annuler 999')).toBe(`Vous n'avez pas de panier 999 en cours. Vos paniers: ${a} et ${b}.`);
    expect(await text(phone, `Annuler le panier ${b}`)).toBe(`Annuler le panier ${b} (1,20 €) ? Répondez OUI pour annuler, NON pour le garder.`);
    expect(await text(phone, 'oui')).toBe(`Panier ${b} annulé.`);
    expect((await db.order.findUniqueOrThrow({ where: { id: second.id } })).status).toBe('cancelled');
    expect((await db.order.findUniqueOrThrow({ where: { id: first.id } })).status).toBe('confirmed');
    // one basket left: ANNULER means it
    expect(await text(phone, 'ANNULER')).toBe(`Annuler le panier ${a} (2,40 €) ? Répondez OUI pour annuler, NON pour le garder.`);
    expect(await text(phone, 'non')).toBe('Votre commande est gardée.');
  });

  it('asks for an address for home delivery, then passes the request on', async () => {
    const phone = uniqueMobile();
    await text(phone, '1 baguette');
    await text(phone, 'oui');
    expect(await text(phone, 'LIVRAISON')).toContain("A quelle adresse livrer ? Répondez LIVRAISON suivi de l'adresse.");
    expect(await text(phone, 'livraison 3 rue des Lilas, Lormes')).toContain('Livraison demandée au 3 rue des Lilas, Lormes.');
    const order = await db.order.findFirstOrThrow({ where: { customer: { phone }, status: 'confirmed' }, include: { delivery: true } });
    expect(order.fulfilment).toBe('delivery');
    expect(order.delivery).toMatchObject({ address: '3 rue des Lilas, Lormes', status: 'requested' });
    expect(await db.outboxEvent.count({ where: { type: 'delivery.requested', aggregateId: order.delivery!.id } })).toBe(1);
  });

  it('offers what is left when an order asks for more than the stock', async () => {
    const phone = uniqueMobile();
    await text(phone, '9 croissants');
    const offer = await text(phone, 'oui');
    expect(offer).toMatch(/^Il ne reste que 5 Croissant\. Répondez OUI pour en prendre 5, NON pour annuler\.\nVous commandez:\n5 Croissant 5,50 €/);
    expect(await text(phone, 'oui')).toMatch(/^Commande confirmée, panier \d+\. Total 5,50 €/);
    expect(await text(uniqueMobile(), '1 croissant').then(() => text(phone, 'suivi'))).toContain('confirmé');
  });

  it('stops messages on STOP, once, and starts again on START', async () => {
    const phone = uniqueMobile();
    expect(await text(phone, 'STOP')).toBe('Vous ne recevrez plus nos SMS. Envoyez START pour les recevoir à nouveau.');
    expect(await text(phone, 'stop')).toBeNull();
    expect(await db.customer.findFirst({ where: { phone } })).toMatchObject({ smsOptedOut: true });
    expect(await text(phone, 'START')).toBe("C'est noté, vous recevez de nouveau nos SMS.");
    expect(await db.customer.findFirst({ where: { phone } })).toMatchObject({ smsOptedOut: false });
  });

  it('stops messages when a resident asks in their own words, even with an order waiting for OUI', async () => {
    const phone = uniqueMobile();
    expect(await text(phone, '2 baguettes')).toContain('Répondez OUI');
    expect(await text(phone, 'Je ne veux plus recevoir de SMS merci')).toBe('Vous ne recevrez plus nos SMS. Envoyez START pour les recevoir à nouveau.');
    expect(await db.customer.findFirst({ where: { phone } })).toMatchObject({ smsOptedOut: true });
    const other = uniqueMobile();
    expect(await text(other, 'Stop svp')).toBe('Vous ne recevrez plus nos SMS. Envoyez START pour les recevoir à nouveau.');
    expect(await db.customer.findFirst({ where: { phone: other } })).toMatchObject({ smsOptedOut: true });
  });

  it('helps, lists the catalogue by category, and pages it', async () => {
    const phone = uniqueMobile();
    expect(await text(phone, 'aide')).toContain('Pour commander, envoyez votre liste');
    expect(await text(phone, 'CATALOGUE')).toContain('Catalogue: Divers, Fromages, Cremerie.');
    const page = await text(phone, 'catalogue fromages');
    expect(page).toContain('20 Comte 2,60 €/100g\n21 Tomme 2,10 €/100g');
    expect(await text(phone, 'SUITE')).toContain('Fin du catalogue.');
    // a producer's name works too
    expect(await text(phone, 'catalogue ferme test')).toContain('1 Baguette tradition 1,20 €');
    expect(await text(phone, 'catalogue bijoux')).toContain('Pas de rayon "bijoux".');
  });

  it('says plainly what it did not understand, and what is not sold', async () => {
    const phone = uniqueMobile();
    expect(await text(phone, 'zzzz qwerty')).toContain("Je n'ai pas compris.");
    expect(await text(phone, '2 baguettes et 3 tomates')).toMatch(/^Pas au catalogue: tomates\.\nVous commandez:\n2 Baguette/);
  });

  it('says when the window is closed and when the next one opens', async () => {
    const day = 24 * 3600_000;
    // a village whose only distribution has passed: nothing planned
    const past = await createTestGroup(db);
    await db.distribution.update({ where: { id: past.distributionId }, data: { opensAt: new Date(Date.now() - 3 * day), closesAt: new Date(Date.now() - 2 * day), pickupStart: new Date(Date.now() - 1.9 * day), pickupEnd: new Date(Date.now() - 1.8 * day) } });
    expect(await text(uniqueMobile(), '2 baguettes', undefined, past.number)).toMatch(/^Pas de distribution prévue pour le moment\./);
    // one whose orders open the day after tomorrow
    const soon = await createTestGroup(db);
    await db.distribution.update({ where: { id: soon.distributionId }, data: { opensAt: new Date(Date.now() + 2 * day), closesAt: new Date(Date.now() + 3 * day), pickupStart: new Date(Date.now() + 3.1 * day), pickupEnd: new Date(Date.now() + 3.2 * day) } });
    expect(await text(uniqueMobile(), '2 baguettes', undefined, soon.number)).toMatch(/^Les commandes sont fermées\. Prochaines commandes du .+ au .+\./);
  });
});

describe('reliability', () => {
  it('answers 100 concurrent copies of one webhook with one reply and one change', async () => {
    const phone = uniqueMobile();
    const sid = `SM${crypto.randomBytes(16).toString('hex')}`;
    const replies = await Promise.all(Array.from({ length: 100 }, () => text(phone, '2 baguettes', sid)));
    expect(new Set(replies).size).toBe(1);
    expect(replies[0]).toContain('Vous commandez');
    expect(await db.message.count({ where: { OR: [{ twilioSid: sid }, { toPhone: phone }] } })).toBe(2);
    expect(await db.order.count({ where: { customer: { phone } } })).toBe(1);
  });

  it('answers 100 texts from 10 residents sent at once: replies to each resident in the order their texts came in', async () => {
    const residents = Array.from({ length: 10 }, () => uniqueMobile());
    const words = ['2 baguettes', 'combien les pommes', 'SUIVI', 'et 1 croissant', 'merci', 'c est quand', 'NON', '6 oeufs', 'bonjour', 'SUIVI'];
    const sent = await Promise.all(residents.flatMap((phone) => words.map(async (body) => (await postSms(world.app, phone, g.number, body)).sid)));
    expect(sent).toHaveLength(100);
    for (const sid of sent) expect(await replyTo(db, world.twilio, sid)).toBeTruthy();
    for (const phone of residents) {
      const inbound = await db.message.findMany({ where: { fromPhone: phone, direction: 'inbound' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } });
      const replies = await db.message.findMany({ where: { toPhone: phone, direction: 'outbound' }, select: { id: true, inReplyToId: true } });
      const answering = new Map(replies.map((r) => [r.id, r.inReplyToId]));
      // the order in which Twilio was handed the replies, as the texts they answer
      const handedOver = world.twilio.to(phone).map((m) => answering.get(/messageId=([\w-]+)/.exec(m.StatusCallback ?? '')![1]!));
      expect(handedOver).toEqual(inbound.map((m) => m.id));
    }
  });

  it('sends a reply only after the one before it to the same person, whichever is queued first', async () => {
    const phone = uniqueMobile();
    const rows = [];
    for (const body of ['premier', 'second']) {
      const inbound = await db.message.create({ data: { groupId: g.groupId, direction: 'inbound', fromPhone: phone, toPhone: g.number, body, status: 'received', processedAt: new Date() } });
      rows.push(await db.message.create({ data: { groupId: g.groupId, direction: 'outbound', fromPhone: g.number, toPhone: phone, body: `Réponse au ${body}`, status: 'pending', recipientRole: 'resident', inReplyToId: inbound.id } }));
    }
    const senders = world.running.pipeline.senders;
    await senders.enqueue({ id: rows[1]!.id, channel: 'sms', fromPhone: g.number, priority: 1 });
    await new Promise((r) => setTimeout(r, 400));
    expect(world.twilio.to(phone)).toHaveLength(0);
    await senders.enqueue({ id: rows[0]!.id, channel: 'sms', fromPhone: g.number, priority: 1 });
    await waitFor('both replies', () => world.twilio.to(phone).length === 2);
    expect(world.twilio.to(phone).map((m) => m.Body)).toEqual(['Réponse au premier', 'Réponse au second']);
  });

  it('handles two texts from one person at once one after the other: one draft, no line lost', async () => {
    const phone = uniqueMobile();
    await Promise.all([text(phone, '1 baguette'), text(phone, '2 croissants')]);
    const drafts = await db.order.findMany({ where: { customer: { phone }, status: 'draft' }, include: { lines: true } });
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.lines.map((l) => [l.productName, l.quantity]).sort()).toEqual([['Baguette tradition', 1], ['Croissant', 2]]);
    const conversation = await db.smsConversation.findFirstOrThrow({ where: { customer: { phone } } });
    expect(conversation.state).toBe('confirm_order');
  });

  it('never fails and always answers one polite reply, whatever arrives (read where Twilio receives it)', async () => {
    const stopWords = /^\s*(stop|arret|arrete|arreter|stopall|desinscription|desabonner|unsubscribe|end|quit|cancel)\s*$/i;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.constantFrom('', ' ', '12', '999999', '🙂🙂🙂', 'x'.repeat(1600), '2 baguettes 🥖', '\u0000'), fc.integer().map(String)),
        async (body) => {
          const { res, sid } = await postSms(world.app, uniqueMobile(), g.number, body);
          expect(res.status).toBe(200);
          const reply = await replyTo(db, world.twilio, sid);
          if (!stopWords.test(body)) expect(reply).toBeTruthy();
        },
      ),
      { numRuns: 60 },
    );
  });
});
