// The SMS conversation as residents really write: questions, thanks, re-sent texts, delivery asked
// inside an order, removals, the usual basket, STOP, long chatty texts. Real PostgreSQL, exact replies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db/client.js';
import { countSegments } from '../src/sms/segments.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { smsTexter, startSmsWorld } from './helpers/sms.js';

let db: Db;
let world: Awaited<ReturnType<typeof startSmsWorld>>;
let g: TestGroup;
const text = smsTexter({ db: () => db, app: () => world.app, number: () => g.number, twilio: () => world.twilio });

afterAll(() => world?.stop());

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  world = await startSmsWorld(db);
  g = await createTestGroup(db);
  const day = 24 * 3600_000;
  const d = await db.distribution.findUniqueOrThrow({ where: { id: g.distributionId } });
  await db.distribution.update({ where: { id: d.id }, data: { deliveryStart: new Date(d.pickupStart.getTime() + day), deliveryEnd: new Date(d.pickupStart.getTime() + day + 3 * 3600_000) } });
  // the rest of the demo catalogue a long basket names
  const more = [
    { code: 2, name: 'Pain de campagne 800 g', unit: 'piece', priceCents: 450, aliases: ['campagne'] },
    { code: 11, name: 'Pommes de terre', unit: 'kg', priceCents: 190, variableWeight: true, aliases: ['patates'] },
    { code: 12, name: 'Carottes', unit: 'kg', priceCents: 220, variableWeight: true, averageWeightGrams: 100 },
    { code: 13, name: 'Salade', unit: 'piece', priceCents: 120 },
    { code: 14, name: 'Botte de poireaux', unit: 'piece', priceCents: 250, aliases: ['poireaux'] },
    { code: 23, name: 'Yaourts nature (par 4)', unit: 'piece', priceCents: 320, packSize: 4, aliases: ['yaourt'] },
    { code: 24, name: 'Lait cru', unit: 'litre', priceCents: 140, aliases: ['lait'] },
    { code: 25, name: 'Beurre doux 250 g', unit: 'piece', priceCents: 350, aliases: ['beurre'] },
  ] as const;
  for (const p of more) await db.product.create({ data: { groupId: g.groupId, producerId: g.producerId, category: 'Divers', ...p, aliases: [...('aliases' in p ? p.aliases : [])] } });
});

/** A resident we already know (no name question in the replies). */
async function resident(): Promise<{ phone: string; id: string }> {
  const phone = uniqueMobile();
  // a resident of long standing: told of the privacy notice before (test/privacy.test.ts covers it)
  const c = await db.customer.create({ data: { groupId: g.groupId, phone, name: 'Madame Roux', lineType: 'mobile', address: '4 rue des Lilas, Lormes', privacyNoticeAt: new Date() } });
  return { phone, id: c.id };
}

const ordersOf = (customerId: string) => db.order.findMany({ where: { customerId }, include: { lines: true }, orderBy: { createdAt: 'asc' } });

describe('the SMS conversation beyond ordering', () => {
  it('gives a price without creating a draft', async () => {
    const r = await resident();
    expect(await text(r.phone, 'combien ça coûte les pommes')).toBe('Pommes: 2,80 € le kg, environ 0,50 € pièce. Pour commander, envoyez votre liste.');
    expect(await text(r.phone, "c'est combien le poulet ?")).toBe('Poulet fermier: 11,50 € le kg, environ 20,70 € pièce. Pour commander, envoyez votre liste.');
    expect(await ordersOf(r.id)).toEqual([]);
  });

  it('says when to come, and answers thanks and greetings kindly', async () => {
    const r = await resident();
    const when = await text(r.phone, "c'est quand la livraison ?");
    expect(when).toMatch(/^Retrait \w+ \d+ [^ ]+ [\dh]+-[\dh]+, Epicerie test\. Livraison à domicile \w+ \d+ [^ ]+ [\dh]+-[\dh]+\. Commandes jusqu'au \w+ \d+ [^ ]+ [\dh]+\.$/);
    expect(await text(r.phone, 'quand est-ce que je peux venir chercher')).toBe(when);
    expect(await text(r.phone, 'merci')).toBe('Avec plaisir ! Bonne journée.');
    expect(await text(r.phone, 'Bonjour !')).toBe('Bonjour ! Pour commander, envoyez votre liste, ex: 2 baguettes. AIDE pour en savoir plus.');
    expect(await ordersOf(r.id)).toEqual([]);
  });

  it('does not add a re-sent text twice, and says how to add more', async () => {
    const r = await resident();
    const first = await text(r.phone, '2 baguettes tradition svp');
    // one line: its price is the total, not repeated
    expect(first).toContain('Vous commandez:\n2 Baguette tradition 2,40 €\nRetrait ');
    expect(await text(r.phone, '2 Baguettes tradition SVP')).toBe(
      'Votre panier contient déjà cette liste. Répondez OUI pour confirmer. Pour en ajouter, écrivez par ex: encore 2 baguettes.',
    );
    expect(await text(r.phone, 'encore 2 baguettes')).toContain('Vous commandez:\n4 Baguette tradition 4,80 €\nRetrait ');
    expect(await text(r.phone, 'oui')).toMatch(/^Commande confirmée, panier \d+\. Total 4,80 €/);
    const order = (await ordersOf(r.id)).find((o) => o.status === 'confirmed');
    expect(order!.lines.map((l) => l.quantity)).toEqual([4]);
  });

  it('knows a re-sent order in other words: the same lines are not doubled', async () => {
    const r = await resident();
    expect(await text(r.phone, 'bonjour 2 baguettes merci')).toContain('Vous commandez:\n2 Baguette tradition 2,40 €\n');
    expect(await text(r.phone, '2 baguettes svp')).toBe(
      'Votre panier contient déjà cette liste. Répondez OUI pour confirmer. Pour en ajouter, écrivez par ex: encore 2 baguettes.',
    );
    // other lines: a new request, read as such (the draft then holds 2 + 3)
    expect(await text(r.phone, '3 baguettes svp')).toContain('Vous commandez:\n5 Baguette tradition 6,00 €\n');
    expect(await text(r.phone, 'oui')).toMatch(/^Commande confirmée, panier \d+\. Total 6,00 €/);
    const confirmed = (await ordersOf(r.id)).filter((o) => o.status === 'confirmed');
    expect(confirmed.map((o) => o.lines.map((l) => l.quantity))).toEqual([[5]]);
  });

  it('takes a delivery request inside an order and confirms both together, never saying "Retrait"', async () => {
    const r = await resident();
    const draft = await text(r.phone, "2 baguettes et 6 oeufs, qu'on me apporte a maison car je ne marche pas tres bien");
    expect(draft).toMatch(/^Vous commandez:\n2 Baguette tradition 2,40 €\n1 Oeufs \(boite de 6\) 2,40 €\nTotal 4,80 €\. Livraison à domicile \w+ \d+ [^ ]+ [\dh]+-[\dh]+\.\nRépondez OUI/);
    expect(draft).not.toContain('Retrait');
    expect(draft).not.toContain('Pas au catalogue');
    const confirmed = await text(r.phone, 'oui');
    expect(confirmed).toMatch(/^Commande confirmée, panier \d+\. Total 4,80 €\. Livraison demandée au 4 rue des Lilas, Lormes, \w+ \d+ [^ ]+ [\dh]+-[\dh]+\. Le responsable/);
    const [order] = await ordersOf(r.id);
    expect(order).toMatchObject({ status: 'confirmed', fulfilment: 'delivery' });
    expect(await db.delivery.findUniqueOrThrow({ where: { orderId: order!.id } })).toMatchObject({ address: '4 rue des Lilas, Lormes', status: 'requested' });
    expect(await text(r.phone, 'suivi')).toMatch(/Livraison à domicile \w+ \d+/);

    // no address on file: asked after OUI, and an address alone is taken for it
    const phone = uniqueMobile();
    await db.customer.create({ data: { groupId: g.groupId, phone, name: 'Monsieur Blanc', lineType: 'mobile' } });
    await text(phone, '1 baguette a livrer svp');
    expect(await text(phone, 'oui')).toMatch(/^Commande confirmée, panier \d+\. Total 1,20 €\. Pour la livraison, répondez LIVRAISON suivi de l'adresse\.$/);
    expect(await text(phone, '8 chemin des Vignes, Lormes')).toMatch(/^Livraison demandée au 8 chemin des Vignes, Lormes, \w+ \d+ [^ ]+ [\dh]+-[\dh]+\. Le responsable/);
  });

  it('removes a line from the list awaiting OUI, and from a confirmed order', async () => {
    const r = await resident();
    await text(r.phone, '1 baguette, 6 oeufs et 2 croissants');
    const after = await text(r.phone, 'enlevez les oeufs');
    expect(after).toMatch(/^C'est retiré: Oeufs \(boite de 6\)\.\nVous commandez:\n1 Baguette tradition 1,20 €\n2 Croissant 2,20 €\nTotal 3,40 €\./);
    await text(r.phone, 'oui');
    const stock = () => db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: g.distributionId, productId: g.products.croissant } } });
    const reserved = (await stock()).reserved;
    expect(await text(r.phone, 'je ne veux plus les croissants')).toMatch(/^C'est retiré du panier \d+: Croissant\. Nouveau total 1,20 €\.$/);
    const order = (await ordersOf(r.id)).find((o) => o.status === 'confirmed');
    expect(order!.lines.map((l) => l.productName)).toEqual(['Baguette tradition']);
    expect(order!.estimatedCents).toBe(120);
    expect((await stock()).reserved).toBe(reserved - 2);
    expect(await text(r.phone, 'enlevez le poulet')).toBe('Votre commande ne contient pas: Poulet fermier. SUIVI pour la voir.');
    // the last line: that is a cancellation, asked with OUI
    expect(await text(r.phone, 'retirez la baguette')).toMatch(/^Annuler le panier \d+ \(1,20 €\) \?/);
  });

  it('orders the usual basket again from the last order', async () => {
    const r = await resident();
    expect(await text(r.phone, 'pareil que la derniere fois')).toBe("Nous n'avons pas encore de commande de vous. Envoyez votre liste, ex: 2 baguettes.");
    // last month's order, at a past distribution
    const past = await db.distribution.create({
      data: { groupId: g.groupId, relayPointId: g.relayId, status: 'done', opensAt: new Date('2026-01-01T08:00:00Z'), closesAt: new Date('2026-01-03T19:00:00Z'), pickupStart: new Date('2026-01-05T15:00:00Z'), pickupEnd: new Date('2026-01-05T18:00:00Z') },
    });
    await db.order.create({
      data: {
        groupId: g.groupId, customerId: r.id, distributionId: past.id, channel: 'sms', status: 'collected', basketNumber: 3, estimatedCents: 520, confirmedAt: new Date('2026-01-02T10:00:00Z'),
        lines: { create: [
          { productId: g.products.baguette, quantity: 2, productName: 'Baguette tradition', unit: 'piece', unitPriceCents: 120, vatRateBp: 550, variableWeight: false, estimatedCents: 240 },
          { productId: g.products.pommes, quantity: 1, estimatedGrams: 1000, productName: 'Pommes', unit: 'kg', unitPriceCents: 280, vatRateBp: 550, variableWeight: true, estimatedCents: 280 },
        ] },
      },
    });
    expect(await text(r.phone, 'comme d habitude merci')).toMatch(/^Comme la dernière fois:\nVous commandez:\n2 Baguette tradition 2,40 €\n1 kg Pommes environ 2,80 €\nTotal environ 5,20 €\./);
    await text(r.phone, 'oui');
    expect(await text(r.phone, 'pareil que la derniere fois')).toMatch(/^Votre panier \d+ est déjà commandé pour cette distribution\./);
  });

  it('stays silent after STOP until START; an order text becomes a task for the operator', async () => {
    const r = await resident();
    expect(await text(r.phone, 'STOP')).toContain('Vous ne recevrez plus nos SMS');
    expect(await text(r.phone, '2 baguettes et 6 oeufs')).toBeNull();
    expect(await text(r.phone, 'merci')).toBeNull();
    expect(await ordersOf(r.id)).toEqual([]);
    const tasks = await db.callTask.findMany({ where: { customerId: r.id } });
    expect(tasks.map((t) => [t.kind, t.note])).toEqual([['order_to_enter', 'a écrit après STOP: 2 baguettes et 6 oeufs']]);
    const outbound = await db.message.count({ where: { customerId: r.id, direction: 'outbound' } });
    expect(outbound).toBe(1);
    expect(await text(r.phone, 'START')).toContain('vous recevez de nouveau nos SMS');
  });

  it('restates the pending OUI when a new resident gives their name', async () => {
    const phone = uniqueMobile();
    expect(await text(phone, '1 baguette')).toContain('quel est votre nom ?');
    expect(await text(phone, 'Jeanne Perrin')).toBe("Merci Jeanne Perrin, c'est noté. Votre commande attend votre OUI.");
  });

  it('keeps the name a newcomer gives in passing, and does not ask for it', async () => {
    const phone = uniqueMobile();
    const draft = await text(phone, 'Bonjour je suis Mme Roux je voudrais 2 baguettes');
    expect(draft).toContain('Vous commandez:\n2 Baguette tradition');
    expect(draft).not.toContain('quel est votre nom ?');
    expect((await db.customer.findFirstOrThrow({ where: { phone } })).name).toBe('Mme Roux');
    // a name given with the OUI that confirms: both are done
    const other = uniqueMobile();
    expect(await text(other, '1 baguette')).toContain('quel est votre nom ?');
    expect(await text(other, 'Oui. Mme Durand')).toMatch(/^Commande confirmée, panier \d+\./);
    expect((await db.customer.findFirstOrThrow({ where: { phone: other } })).name).toBe('Mme Durand');
    // the name in a sentence, when it was asked: the name is kept and said back, not the sentence
    const third = uniqueMobile();
    await text(third, '1 baguette');
    expect(await text(third, "Je m'appelle Jeanne Roux")).toBe("Merci Jeanne Roux, c'est noté. Votre commande attend votre OUI.");
  });

  it('takes a correction before OUI as a correction, not as more of the same', async () => {
    const draft = async (...texts: string[]) => {
      const phone = uniqueMobile();
      let reply: string | null = null;
      for (const t of texts) reply = await text(phone, t);
      return reply!;
    };
    const plutot = await draft('2 baguettes', 'finalement plutot 1 seule baguette et un poulet');
    expect(plutot).toContain('1 Baguette tradition 1,20 €');
    expect(plutot).toContain('Poulet');
    expect(plutot).not.toContain('Pas au catalogue');
    expect(await draft('1 baguette', "mettez 2 baguettes au lieu d'une")).toMatch(/^Vous commandez:\n2 Baguette tradition 2,40 €\n/);
    const replaced = await draft('2 baguettes et 6 oeufs', 'remplacez les oeufs par un poulet');
    expect(replaced).not.toContain('Oeufs');
    expect(replaced).toContain('2 Baguette tradition');
    expect(replaced).toContain('Poulet');
    expect(await draft('3 baguettes', 'non je voulais dire une seule baguette')).toMatch(/^Vous commandez:\n1 Baguette tradition 1,20 €\n/);
    // in one text
    expect(await draft('2 baguettes, non plutot 3 baguettes')).toMatch(/^Vous commandez:\n3 Baguette tradition 3,60 €\n/);
    // no correction said: a second text still adds
    expect(await draft('2 baguettes', 'et 1 baguette')).toMatch(/^Vous commandez:\n3 Baguette tradition/);
  });

  it('brings the basket home to a resident set to home delivery, without their asking each time', async () => {
    const r = await resident();
    await db.customer.update({ where: { id: r.id }, data: { deliveryByDefault: true } });
    const draft = await text(r.phone, '2 baguettes');
    expect(draft).toContain('Livraison à domicile');
    expect(draft).not.toContain('Retrait');
    expect(await text(r.phone, 'oui')).toMatch(/^Commande confirmée, panier \d+\. Total 2,40 €\. Livraison demandée au 4 rue des Lilas, Lormes/);
    const order = await db.order.findFirstOrThrow({ where: { customerId: r.id, status: 'confirmed' }, include: { delivery: true } });
    expect([order.fulfilment, order.delivery?.status, order.delivery?.address]).toEqual(['delivery', 'requested', '4 rue des Lilas, Lormes']);
  });

  it('does not drop a list awaiting OUI on "ANNULER 99", a basket that is not theirs', async () => {
    const phone = uniqueMobile();
    await text(phone, '2 baguettes');
    expect(await text(phone, 'ANNULER 99')).toBe("Vous n'avez pas de panier 99 en cours. Votre commande attend votre OUI.");
    // a price asked meanwhile does not sound as if the list were gone
    expect(await text(phone, 'combien le poulet ?')).toMatch(/^Poulet fermier: .+ Votre commande attend votre OUI\.$/);
    expect(await text(phone, 'oui')).toMatch(/^Commande confirmée, panier \d+\./);
  });

  it('keeps every reply within 3 segments: a long chatty text, a 1,600-character text', async () => {
    const r = await resident();
    const chatty =
      "Bonjour madame, j'espere que vous allez bien et que la famille aussi. Alors cette semaine je voudrais 2 baguettes, 1 pain de campagne, 3 croissants, " +
      "1 kg de pommes, 2 kg de pommes de terre, 1 kg de carottes, une salade, 12 oeufs, un comte, 4 yaourts, 1 litre de lait, un beurre, un poulet, " +
      "et 1 botte de poireaux. Si possible qu'on me apporte a maison car je ne marche pas tres bien en ce moment. Merci beaucoup et bonne journee, Mme Roux";
    const reply = await text(r.phone, chatty);
    expect(reply).not.toMatch(/Pas au catalogue: j'espere/);
    expect(reply).toContain('Livraison à domicile');
    expect(countSegments(reply!).segments).toBeLessThanOrEqual(3);
    expect(reply).toMatch(/^Vous commandez \d+ produits, total environ \d+,\d\d €\. Livraison à domicile .+\nSUIVI pour le détail\./);
    const detail = await text(r.phone, 'SUIVI');
    expect(detail).toMatch(/^A confirmer:\n2 Baguette tradition/);
    expect(countSegments(detail!).segments).toBeLessThanOrEqual(3);

    const other = await resident();
    const huge = Array.from({ length: 80 }, (_, i) => `${(i % 5) + 1} baguettes`).join(' et ').slice(0, 1600);
    const big = await text(other.phone, huge);
    expect(big!.length).toBeLessThanOrEqual(1600);
    expect(countSegments(big!).segments).toBeLessThanOrEqual(3);
    const noise = await text(other.phone, 'zorglub '.repeat(200));
    expect(countSegments(noise!).segments).toBeLessThanOrEqual(3);
  });
});
