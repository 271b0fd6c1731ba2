// The domain core from every door that uses it: a distribution closed by a coordinator or by the
// sweep gives the same digest; a cancelled one reaches every resident; drafts never show; the
// weigh-in refuses impossible weights and tells each resident once; undeliverable dispatch and
// interrupted sends reach a person; known errors are answered in French.
import crypto from 'node:crypto';
import { hash } from '@node-rs/argon2';
import nock from 'nock';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepOnce } from '../src/delivery/schedule.js';
import { markUnknownOutcome, markUnreachable } from '../src/delivery/unreachable.js';
import { SYSTEM } from '../src/orders/actor.js';
import { cancelDistribution, closeDistribution } from '../src/orders/distributionLifecycle.js';
import { exportDistributionOrders, ordersToCsv } from '../src/orders/export.js';
import { createOrderService, type OrderLineInput } from '../src/orders/orderService.js';
import { markCollected } from '../src/orders/relayShop.js';
import { judgeWeight } from '../src/orders/weighIn.js';
import type { Db } from '../src/platform/db/client.js';
import { nationalPhone } from '../src/platform/phone.js';
import { buildTestApp, callParams, sign } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { waitFor, type fakeTwilio, type startTestPipeline } from './helpers/pipeline.js';
import { smsTexter, startSmsWorld } from './helpers/sms.js';

const PASSWORD = 'correct horse battery';
let db: Db;
let twilio: ReturnType<typeof fakeTwilio>;
let running: Awaited<ReturnType<typeof startTestPipeline>>;
let app: ReturnType<typeof buildTestApp>['app'];
let logs: ReturnType<typeof buildTestApp>['logs'];
const orders = () => createOrderService({ db });
const day = 24 * 3600_000;
const PUBLIC = 'http://panier.test';

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  // http: the console's cookies are not "secure" for the test agent
  ({ app, logs, twilio, running } = await startSmsWorld(db, { publicBaseUrl: PUBLIC }));
});

afterAll(async () => {
  await running.stop();
  nock.cleanAll();
});

/** A group with its own delivery lead, coordinator (with a phone) and courier. */
async function village() {
  const g = await createTestGroup(db);
  const lead = uniqueMobile();
  const coordinatorPhone = uniqueMobile();
  const courierPhone = uniqueMobile();
  const email = `coord-${crypto.randomBytes(3).toString('hex')}@panier.test`;
  await db.staffUser.create({ data: { groupId: g.groupId, role: 'delivery_lead', name: 'Marc Lead', phone: lead } });
  await db.staffUser.create({ data: { groupId: g.groupId, role: 'coordinator', name: 'Claire Coord', email, passwordHash: await hash(PASSWORD), phone: coordinatorPhone } });
  const courier = await db.courier.create({ data: { groupId: g.groupId, name: 'Julie Martin', phone: courierPhone } });
  return { g, lead, coordinatorPhone, courierPhone, courier, email };
}

async function resident(g: TestGroup, data: Record<string, unknown> = {}) {
  return db.customer.create({ data: { groupId: g.groupId, phone: uniqueMobile(), name: 'Mme Roux', lineType: 'mobile', address: '3 chemin des Vignes, 58140 Lormes', ...data } });
}

async function placed(g: TestGroup, customerId: string, lines: OrderLineInput[] = [{ productId: g.products.baguette, quantity: 2 }]) {
  return orders().placeOrder({ groupId: g.groupId, customerId, distributionId: g.distributionId, channel: 'operator', confirm: true, lines });
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function loginAs(email: string) {
  const agent = request.agent(app);
  const page = await agent.get('/console/login');
  const res = await agent.post('/console/login').type('form').send({ email, password: PASSWORD, _csrf: csrfOf(page.text) });
  expect(res.status).toBe(303);
  const home = await agent.get(res.headers.location as string);
  return { agent, csrf: csrfOf(home.text) };
}

const texter = smsTexter({ db: () => db, app: () => app, number: () => '', twilio: () => twilio, publicBaseUrl: PUBLIC });
const text = (g: TestGroup, from: string, body: string) => texter(from, body, { to: g.number });

describe('closing a distribution', () => {
  it('early, by a coordinator in the console: drafts lapse and the delivery lead gets the digest', async () => {
    const v = await village();
    const c = await resident(v.g);
    const order = await placed(v.g, c.id);
    await orders().requestDelivery(order.id, c.address!);
    const draftOf = await resident(v.g);
    const draft = await orders().placeOrder({ groupId: v.g.groupId, customerId: draftOf.id, distributionId: v.g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: v.g.products.baguette, quantity: 1 }] });
    const { agent, csrf } = await loginAs(v.email);
    const res = await agent.post(`/console/distributions/${v.g.distributionId}/close`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    const digest = await waitFor('digest', () => twilio.to(v.lead).find((m) => m.Body?.startsWith('Livraisons')));
    expect(digest.Body).toContain(`A attribuer: ${order.basketNumber} Lormes.`);
    expect((await db.order.findUniqueOrThrow({ where: { id: draft.id } })).status).toBe('cancelled');
    const d = await db.distribution.findUniqueOrThrow({ where: { id: v.g.distributionId } });
    expect(d.status).toBe('closed');
    expect(d.closesAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await db.auditEvent.count({ where: { entityId: d.id, action: 'distribution.closed' } })).toBe(1);
    // no longer open: an order or a second close is refused, and the page says so in French
    await expect(placed(v.g, c.id)).rejects.toMatchObject({ code: 'order_window_closed' });
    await agent.post(`/console/distributions/${v.g.distributionId}/close`).type('form').send({ _csrf: csrf });
    expect((await agent.get('/console/distributions')).text).toContain('Cette distribution ne peut plus changer ainsi.');
  });

  it('at closesAt, by the sweep: the same use case, the same digest, once', async () => {
    const v = await village();
    const c = await resident(v.g);
    const order = await placed(v.g, c.id);
    await orders().requestDelivery(order.id, c.address!);
    const later = new Date(Date.now() + 2 * day + 60_000);
    const first = await sweepOnce({ db, senders: running.pipeline.senders, now: later });
    const again = await sweepOnce({ db, senders: running.pipeline.senders, now: later });
    expect(first.closed).toBeGreaterThanOrEqual(1);
    expect(again.closed).toBe(0);
    await waitFor('digest', () => twilio.to(v.lead).find((m) => m.Body?.startsWith('Livraisons')));
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.to(v.lead).filter((m) => m.Body?.startsWith('Livraisons'))).toHaveLength(1);
  });
});

describe('cancelling a distribution', () => {
  it('cancels its orders, releases their stock and tells each resident, their carer, the lead and the courier', async () => {
    const v = await village();
    const carer = uniqueMobile();
    const a = await resident(v.g, { secondaryContactPhone: carer, secondaryContactName: 'Luc' });
    const b = await resident(v.g, { name: 'M. Blanc' });
    const withCroissants = await placed(v.g, a.id, [{ productId: v.g.products.croissant, quantity: 4 }]);
    const delivered = await placed(v.g, b.id);
    const delivery = await orders().requestDelivery(delivered.id, b.address!);
    await db.$transaction(async (tx) => {
      const { assignCourier } = await import('../src/orders/deliveries.js');
      await assignCourier(tx, delivery.id, v.courier.id, new Date());
    });
    await waitFor('courier assignment', () => twilio.to(v.courierPhone).find((m) => m.Body?.startsWith('Livraison panier')));
    const { agent, csrf } = await loginAs(v.email);
    expect((await agent.post(`/console/distributions/${v.g.distributionId}/cancel`).type('form').send({ _csrf: csrf })).status).toBe(303);

    const toA = await waitFor('resident told', () => twilio.to(a.phone).find((m) => m.Body?.includes('est annulée')));
    expect(toA.Body).toMatch(new RegExp(`^La distribution du .+ est annulée\\. Votre panier ${withCroissants.basketNumber} est annulé, vous ne payez rien\\.`));
    await waitFor('carer told', () => twilio.to(carer).find((m) => m.Body?.startsWith('Pour Mme Roux : La distribution')));
    await waitFor('second resident told', () => twilio.to(b.phone).find((m) => m.Body?.includes('est annulée')));
    const toLead = await waitFor('lead told', () => twilio.to(v.lead).find((m) => m.Body?.startsWith('Distribution')));
    expect(toLead.Body).toContain(`ne pas livrer les paniers ${delivered.basketNumber}`);
    await waitFor('courier told', () => twilio.to(v.courierPhone).find((m) => m.Body?.includes('livraison retirée')));

    const after = await db.order.findMany({ where: { distributionId: v.g.distributionId } });
    expect(after.every((o) => o.status === 'cancelled')).toBe(true);
    expect((await db.delivery.findUniqueOrThrow({ where: { id: delivery.id } })).status).toBe('cancelled');
    const stock = await db.distributionStock.findUniqueOrThrow({ where: { distributionId_productId: { distributionId: v.g.distributionId, productId: v.g.products.croissant } } });
    expect(stock.reserved).toBe(0);
    // refused from the wrong state
    await expect(db.$transaction((tx) => cancelDistribution(tx, { groupId: v.g.groupId, distributionId: v.g.distributionId }, SYSTEM, new Date()))).rejects.toMatchObject({ code: 'invalid_distribution_state' });
    await expect(db.$transaction((tx) => closeDistribution(tx, { groupId: v.g.groupId, distributionId: v.g.distributionId }, SYSTEM, new Date()))).rejects.toMatchObject({ code: 'invalid_distribution_state' });
  });

  it('of another group is not found', async () => {
    const v = await village();
    const other = await createTestGroup(db);
    await expect(db.$transaction((tx) => cancelDistribution(tx, { groupId: v.g.groupId, distributionId: other.distributionId }, SYSTEM, new Date()))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('drafts are not orders', () => {
  it('a draft answered NON shows nowhere: not in the console list, the sign-off sheet, the export or its total', async () => {
    const v = await village();
    const c = await resident(v.g);
    const kept = await placed(v.g, c.id);
    const someone = uniqueMobile();
    expect(await text(v.g, someone, '2 baguettes')).toContain('Répondez OUI');
    expect(await text(v.g, someone, 'NON')).toContain('annulé');
    const draft = await db.order.findFirstOrThrow({ where: { distributionId: v.g.distributionId, customer: { phone: someone } } });
    expect(draft.status).toBe('cancelled');
    expect(draft.basketNumber).toBeNull();
    const exported = await exportDistributionOrders(db, v.g.distributionId);
    expect(exported.map((o) => o.basketNumber)).toEqual([kept.basketNumber]);
    const csv = ordersToCsv(exported);
    expect(csv.split('\n').filter(Boolean)).toHaveLength(2);
    expect(csv).not.toContain('null');
    const { agent } = await loginAs(v.email);
    for (const page of [`/console/orders?distribution=${v.g.distributionId}`, `/console/orders/sheet?distribution=${v.g.distributionId}`]) {
      const html = (await agent.get(page)).text;
      expect(html).not.toContain('null');
      // the number as the console writes it, and as stored (its last 4 digits alone also match ids and tokens at random)
      expect(html).not.toContain(nationalPhone(someone));
      expect(html).not.toContain(someone);
    }
    // a confirmed order cancelled afterwards stays on the list, as cancelled, with its number
    await orders().cancelOrder(kept.id, { enforceWindow: false });
    const again = await exportDistributionOrders(db, v.g.distributionId);
    expect(again.map((o) => [o.basketNumber, o.status])).toEqual([[kept.basketNumber, 'cancelled']]);
  });

  it('collected and paid follow the status rules', async () => {
    const v = await village();
    const c = await resident(v.g);
    const draft = await orders().placeOrder({ groupId: v.g.groupId, customerId: c.id, distributionId: v.g.distributionId, channel: 'sms', confirm: false, lines: [{ productId: v.g.products.baguette, quantity: 1 }] });
    await expect(db.$transaction((tx) => markCollected(tx, { groupId: v.g.groupId, orderId: draft.id }, { paid: true }, SYSTEM, new Date()))).rejects.toMatchObject({ code: 'invalid_order_state' });
    const order = await placed(v.g, c.id);
    const { agent, csrf } = await loginAs(v.email);
    await agent.post(`/console/orders/${order.id}/collected`).type('form').send({ _csrf: csrf, paid: '1' });
    const done = await db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect([done.status, done.paidAt !== null, done.collectedAt !== null]).toEqual(['collected', true, true]);
    // twice: refused, nothing changes
    await agent.post(`/console/orders/${order.id}/collected`).type('form').send({ _csrf: csrf });
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).collectedAt).toEqual(done.collectedAt);
    // a draft is never "paid"
    await agent.post(`/console/orders/${draft.id}/paid`).type('form').send({ _csrf: csrf });
    expect((await db.order.findUniqueOrThrow({ where: { id: draft.id } })).paidAt).toBeNull();
  });
});

describe('the weigh-in', () => {
  it('judges weights: impossible refused, unusual to confirm, plausible taken (pure)', () => {
    expect(judgeWeight(0, 1000)).toEqual({ ok: false, code: 'weight_out_of_range' });
    expect(judgeWeight(-5, 1000)).toEqual({ ok: false, code: 'weight_out_of_range' });
    expect(judgeWeight(99_999_999, 1000)).toEqual({ ok: false, code: 'weight_out_of_range' });
    expect(judgeWeight(Number.NaN, 1000)).toEqual({ ok: false, code: 'weight_out_of_range' });
    expect(judgeWeight(150, 1000)).toEqual({ ok: false, code: 'weight_implausible', grams: 150, expectedGrams: 1000 });
    expect(judgeWeight(5_001, 1000)).toMatchObject({ code: 'weight_implausible' });
    expect(judgeWeight(200, 1000)).toEqual({ ok: true });
    expect(judgeWeight(1_180, 1000)).toEqual({ ok: true });
  });

  it('in the console: 400 in French for an impossible weight, a second screen for an unusual one, one final price per order, a correction said as such', async () => {
    const v = await village();
    const c = await resident(v.g);
    const order = await placed(v.g, c.id, [{ productId: v.g.products.pommes, quantity: 1, requestedGrams: 1000 }, { productId: v.g.products.baguette, quantity: 1 }]);
    const line = await db.orderLine.findFirstOrThrow({ where: { orderId: order.id, productId: v.g.products.pommes } });
    const { agent, csrf } = await loginAs(v.email);
    const weigh = (value: string, extra: Record<string, string> = {}) =>
      agent.post('/console/weigh').type('form').send({ _csrf: csrf, distribution: v.g.distributionId, [`w_${line.id}_0`]: value, ...extra });

    for (const impossible of ['0', '-3', '99999999', '9999999.9']) {
      const res = await weigh(impossible);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Poids impossible pour Pommes');
    }
    const unusual = await weigh('150');
    expect(unusual.status).toBe(400);
    expect(unusual.text).toContain('Poids inhabituel pour Pommes');
    expect(unusual.text).toContain('name="confirmUnusual"');
    expect((await db.orderLine.findUniqueOrThrow({ where: { id: line.id } })).finalCents).toBeNull();
    // confirmed on the second screen: taken
    expect((await weigh('150', { confirmUnusual: '1' })).status).toBe(303);
    const first = await waitFor('final price', () => twilio.to(c.phone).find((m) => m.Body?.includes('Montant final')));
    // 150 g of apples at 2,80 €/kg = 0,42 €, and the bread 1,20 €
    expect(first.Body).toBe(`Panier ${order.basketNumber} pesé. Montant final : 1,62 €.`);
    // saved again unchanged: nobody is told twice
    await weigh('150', { confirmUnusual: '1' });
    // a real correction: one message, that says it is a correction
    expect((await weigh('1100')).status).toBe(303);
    const correction = await waitFor('correction', () => twilio.to(c.phone).find((m) => m.Body?.startsWith('Correction')));
    expect(correction.Body).toBe(`Correction, panier ${order.basketNumber}: le montant final est 4,28 €. Excusez-nous.`);
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.to(c.phone).filter((m) => /Montant final|Correction/.test(m.Body ?? ''))).toHaveLength(2);
  });

  it('closing the weigh-in gives the orders not fully weighed their final price at the estimate, once', async () => {
    const v = await village();
    const c = await resident(v.g);
    const order = await placed(v.g, c.id, [{ productId: v.g.products.pommes, quantity: 1, requestedGrams: 1000 }]);
    const { agent, csrf } = await loginAs(v.email);
    expect((await agent.post('/console/weigh/close').type('form').send({ _csrf: csrf, distribution: v.g.distributionId })).status).toBe(303);
    const notice = await waitFor('final price', () => twilio.to(c.phone).find((m) => m.Body?.includes('Montant final')));
    expect(notice.Body).toBe(`Panier ${order.basketNumber} pesé. Montant final : 2,80 €.`);
    await agent.post('/console/weigh/close').type('form').send({ _csrf: csrf, distribution: v.g.distributionId });
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.to(c.phone).filter((m) => m.Body?.includes('Montant final'))).toHaveLength(1);
  });
});

describe('messages that matter and cannot be delivered', () => {
  it('a courier’s assignment refused for good: a task for the operator with the reason', async () => {
    const v = await village();
    const c = await resident(v.g);
    const order = await placed(v.g, c.id);
    const m = await db.message.create({ data: { groupId: v.g.groupId, direction: 'outbound', fromPhone: v.g.number, toPhone: v.courierPhone, body: 'Livraison panier 3: …', status: 'sending', kind: 'delivery.assigned', recipientRole: 'courier', orderId: order.id } });
    await markUnreachable(db, m.id, { code: 30006 });
    const task = await db.callTask.findFirstOrThrow({ where: { messageId: m.id } });
    expect(task.kind).toBe('undelivered_dispatch');
    expect(task.note).toContain("Le livreur n'a pas reçu son SMS (erreur 30006)");
  });

  it('the delivery lead’s dispatch refused for good: a task, and the coordinators are told', async () => {
    const v = await village();
    const m = await db.message.create({ data: { groupId: v.g.groupId, direction: 'outbound', fromPhone: v.g.number, toPhone: v.lead, body: 'Livraison panier 4 - Lormes', status: 'queued', kind: 'delivery.requested', recipientRole: 'lead' } });
    await markUnreachable(db, m.id, { code: 30005 });
    await markUnreachable(db, m.id, { code: 30005 });
    expect(await db.callTask.count({ where: { messageId: m.id, kind: 'undelivered_dispatch' } })).toBe(1);
    const alert = await waitFor('coordinators told', () => twilio.to(v.coordinatorPhone).find((m2) => m2.Body?.includes('ne passent pas')));
    expect(alert.Body).toMatch(/^Nos SMS au responsable des livraisons \(0\d( \d\d){4}\) ne passent pas\. Voir "A traiter" dans la console\.$/);
  });

  it('a send cut off mid-request is marked unknown and opens a task, never failed in silence', async () => {
    const v = await village();
    const m = await db.message.create({ data: { groupId: v.g.groupId, direction: 'outbound', fromPhone: v.g.number, toPhone: v.courierPhone, body: 'Livraison panier 5', status: 'sending', kind: 'delivery.assigned', recipientRole: 'courier' } });
    await db.$executeRaw`UPDATE "Message" SET "updatedAt" = now() - interval '1 hour' WHERE id = ${m.id}`;
    await sweepOnce({ db, senders: running.pipeline.senders, now: new Date() });
    expect((await db.message.findUniqueOrThrow({ where: { id: m.id } })).status).toBe('unknown');
    expect((await db.callTask.findFirstOrThrow({ where: { messageId: m.id } })).note).toContain('envoi interrompu');
    // the reconciliation runs once
    await markUnknownOutcome(db, m.id);
    expect(await db.callTask.count({ where: { messageId: m.id } })).toBe(1);
  });
});

describe('known errors in French', () => {
  it('by SMS: a quantity beyond bounds is answered plainly, and the pending draft is kept', async () => {
    const v = await village();
    const phone = uniqueMobile();
    expect(await text(v.g, phone, '2 baguettes')).toContain('Répondez OUI');
    const reply = await text(v.g, phone, '99999999999 croissants');
    expect(reply).toContain("C'est beaucoup ! Pas plus de 50 par produit.");
    // the first draft is still there: OUI confirms it
    expect(await text(v.g, phone, 'OUI')).toContain('Commande confirmée');
    // and an addition to the confirmed order is bounded the same way, before it is proposed
    expect(await text(v.g, phone, '99999999999 baguettes')).toContain("C'est beaucoup ! Pas plus de 50 par produit.");
    expect(await text(v.g, phone, 'SUIVI')).not.toContain('99999999999');
  });

  it('by SMS: a product withdrawn since it was read is named', async () => {
    const v = await village();
    const phone = uniqueMobile();
    // the catalogue cache of the conversation still lists it: withdraw it in the database only
    await text(v.g, uniqueMobile(), 'AIDE');
    await db.product.update({ where: { id: v.g.products.croissant }, data: { active: false } });
    const reply = await text(v.g, phone, '3 croissants');
    expect(reply).toMatch(/^Il n'y a plus de Croissant, désolé\. Renvoyez votre liste sans lui\./);
    expect(logs.lines.some((l) => l.msg === 'sms step refused' && l.code === 'product_unavailable')).toBe(true);
  });

  it('by voice: a step that fails is an apology in French, not a JSON 500, and it is logged', async () => {
    const v = await village();
    const params = callParams(uniqueMobile(), v.g.number);
    // something nobody foresaw: operator hours stored in a shape the menu cannot read (read at the call's start)
    await db.group.update({ where: { id: v.g.groupId }, data: { operatorHours: { broken: true } } });
    const res = await request(app).post('/twilio/voice').set('X-Twilio-Signature', sign('/twilio/voice', params, undefined, PUBLIC)).type('form').send(params);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/xml');
    expect(res.text).toContain('un problème technique nous empêche de vous répondre');
    expect(res.text).toContain('<Hangup/>');
    expect(logs.text()).toContain('voice step failed');
  });
});

describe('several villages on one deployment', () => {
  it('one person who texts two groups is two residents, and nothing crosses', async () => {
    const a = await village();
    const b = await village();
    const phone = uniqueMobile();
    expect(await text(a.g, phone, '2 baguettes')).toContain('Répondez OUI');
    expect(await text(a.g, phone, 'OUI')).toContain('Commande confirmée');
    // the same phone, the other group's number: a stranger there, with no order
    expect(await text(b.g, phone, 'SUIVI')).toContain("Vous n'avez pas de commande en cours");
    const residents = await db.customer.findMany({ where: { phone }, orderBy: { createdAt: 'asc' } });
    expect(residents.map((r) => r.groupId).sort()).toEqual([a.g.groupId, b.g.groupId].sort());
    expect(await db.order.count({ where: { customer: { phone }, groupId: b.g.groupId } })).toBe(0);
  });
});

describe('exports', () => {
  it('neutralise formulas a resident texted as their address, in the delivery register', async () => {
    const v = await village();
    const c = await resident(v.g, { address: '=HYPERLINK("http://evil.example","clic")' });
    const order = await placed(v.g, c.id);
    await orders().requestDelivery(order.id, c.address!);
    const { agent } = await loginAs(v.email);
    const csv = (await agent.get(`/console/exports/deliveries.csv?distribution=${v.g.distributionId}`)).text;
    expect(csv).toContain(`'=HYPERLINK(`);
    expect(csv).not.toMatch(/;=HYPERLINK/);
    expect(csv.split('\n')[0]).toBe('\uFEFFpanier;habitant;telephone;adresse;notes;etat;livreur');
    const orderCsv = (await agent.get(`/console/exports/orders.csv?distribution=${v.g.distributionId}`)).text;
    expect(orderCsv).toContain(';confirmé;');
    expect(orderCsv).toContain(';2,40;');
  });
});
