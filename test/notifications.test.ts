import nock from 'nock';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepOnce } from '../src/delivery/schedule.js';
import { createOrderService } from '../src/orders/orderService.js';
import { SYSTEM } from '../src/orders/actor.js';
import { recordWeighIn } from '../src/orders/weighIn.js';
import type { Db } from '../src/platform/db/client.js';
import { nationalPhone } from '../src/platform/phone.js';
import { sign, type buildTestApp } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { waitFor, type fakeTwilio, type startTestPipeline } from './helpers/pipeline.js';
import { smsTexter, startSmsWorld } from './helpers/sms.js';

let db: Db;
let g: TestGroup;
let running: Awaited<ReturnType<typeof startTestPipeline>>;
let stopped = false;
let twilio: ReturnType<typeof fakeTwilio>;
let app: ReturnType<typeof buildTestApp>['app'];
let leadPhone: string;
let paulPhone: string;
const orders = () => createOrderService({ db });
const texter = smsTexter({ db: () => db, app: () => app, number: () => g.number, twilio: () => twilio });

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  leadPhone = uniqueMobile();
  paulPhone = uniqueMobile();
  await db.staffUser.create({ data: { groupId: g.groupId, role: 'delivery_lead', name: 'Chef Livraisons', phone: leadPhone } });
  await db.courier.createMany({ data: [{ groupId: g.groupId, name: 'Paul Martin', phone: paulPhone }, { groupId: g.groupId, name: 'Sophie Leroy', phone: uniqueMobile() }] });
  const world = await startSmsWorld(db);
  ({ app, twilio, running } = world);
});

afterAll(async () => {
  if (!stopped) await running.stop();
  nock.cleanAll();
});

async function newResident(data: Record<string, unknown> = {}) {
  return db.customer.create({ data: { groupId: g.groupId, phone: uniqueMobile(), name: 'Mme Martin', lineType: 'mobile', address: '3 rue des Forges, 58140 Lormes', ...data } });
}

async function operatorOrder(customerId: string) {
  return orders().placeOrder({ groupId: g.groupId, customerId, distributionId: g.distributionId, channel: 'operator', confirm: true, lines: [{ productId: g.products.baguette, quantity: 2 }, { productId: g.products.oeufs, quantity: 1 }] });
}

const text = (from: string, body: string, sid?: string) => texter(from, body, { sid });

async function statusCallback(messageId: string, messageSid: string, status: string, errorCode?: string) {
  const path = `/twilio/status?messageId=${messageId}`;
  const params: Record<string, string> = { MessageSid: messageSid, MessageStatus: status, SmsStatus: status, AccountSid: 'AC' + '0'.repeat(32) };
  if (errorCode) params.ErrorCode = errorCode;
  const res = await request(app).post(path).set('X-Twilio-Signature', sign(path, params)).type('form').send(params);
  expect(res.status).toBe(204);
}

describe('residents are kept informed', () => {
  it('an order entered by the operator: the resident and their carer get the confirmation, once', async () => {
    const carer = uniqueMobile();
    const c = await newResident({ secondaryContactPhone: carer });
    const order = await operatorOrder(c.id);
    const [toResident] = await waitFor('confirmation', () => (twilio.to(c.phone).length ? twilio.to(c.phone) : null));
    // (the carer may also get, once, the RGPD notice that copies will come: see test/privacy.test.ts)
    const toCarer = await waitFor('carer copy', () => twilio.to(carer).find((m) => m.Body?.startsWith('Pour Mme Martin')));
    expect(toResident!.Body).toBe(`Commande confirmée, panier ${order.basketNumber}. Total 4,80 €. Retrait ${toResident!.Body!.split('Retrait ')[1]}`);
    expect(toResident!.Body).toContain('Epicerie test');
    expect(toCarer!.Body).toMatch(/^Pour Mme Martin : Commande confirmée, panier \d+/);
    expect(toResident!.From).toBe(g.number);
    const row = await waitFor('sid recorded', () => db.message.findFirst({ where: { toPhone: c.phone, kind: 'order.confirmed', twilioSid: { not: null } } }));
    expect(toResident!.StatusCallback).toBe(`https://panier.example.org/twilio/status?messageId=${row.id}`);
    expect(row.twilioSid).toBe(toResident!.sid);
    expect(row.status).toBe('queued');
    // the relay and the worker are done with it: nothing more goes out
    await new Promise((r) => setTimeout(r, 500));
    expect(twilio.to(c.phone)).toHaveLength(1);
  });

  it('an SMS order is answered in the conversation, not sent twice; its carer is told', async () => {
    const carer = uniqueMobile();
    const c = await newResident({ secondaryContactPhone: carer });
    await text(c.phone, '2 baguettes');
    const reply = await text(c.phone, 'OUI');
    expect(reply).toMatch(/Commande confirmée/);
    await waitFor('carer copy', () => twilio.to(carer).find((m) => m.Body?.startsWith('Pour ') && m.Body.includes('Commande confirmée')));
    await new Promise((r) => setTimeout(r, 300));
    // the two replies in the thread, and no confirmation notice on top of them
    expect(twilio.to(c.phone).map((m) => m.Body?.slice(0, 20))).toEqual(['Vous commandez:\n2 Ba', 'Commande confirmée, ']);
  });

  it('status callbacks, duplicated and out of order, end on the right status', async () => {
    const c = await newResident();
    await operatorOrder(c.id);
    const [sent] = await waitFor('confirmation', () => (twilio.to(c.phone).length ? twilio.to(c.phone) : null));
    const row = await waitFor('sid recorded', () => db.message.findFirst({ where: { toPhone: c.phone, twilioSid: { not: null } } }));
    await statusCallback(row.id, sent!.sid, 'delivered');
    await statusCallback(row.id, sent!.sid, 'sent');
    await statusCallback(row.id, sent!.sid, 'delivered');
    await statusCallback(row.id, sent!.sid, 'queued');
    const after = await db.message.findUniqueOrThrow({ where: { id: row.id }, include: { statusEvents: true } });
    expect(after.status).toBe('delivered');
    expect(after.statusEvents.map((e) => e.status).sort()).toEqual(['delivered', 'queued', 'sent']);
    expect(await db.callTask.count({ where: { messageId: row.id } })).toBe(0);
  });

  it('a message the carrier could not deliver becomes one call task for the operator', async () => {
    const c = await newResident();
    await operatorOrder(c.id);
    const [sent] = await waitFor('confirmation', () => (twilio.to(c.phone).length ? twilio.to(c.phone) : null));
    const row = await waitFor('sid recorded', () => db.message.findFirst({ where: { toPhone: c.phone, twilioSid: { not: null } } }));
    await statusCallback(row.id, sent!.sid, 'undelivered', '30003');
    await statusCallback(row.id, sent!.sid, 'undelivered', '30003');
    const tasks = await db.callTask.findMany({ where: { messageId: row.id } });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'unreachable_resident', customerId: c.id, callerPhone: c.phone, status: 'open' });
    expect(tasks[0]!.note).toContain('Commande confirmée');
    expect((await db.message.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('undelivered');
  });

  it('cancelled by staff: the resident is told', async () => {
    const c = await newResident();
    const order = await operatorOrder(c.id);
    await waitFor('confirmation', () => twilio.to(c.phone).length);
    const staff = await db.staffUser.create({ data: { groupId: g.groupId, role: 'operator', name: 'Accueil' } });
    await orders().cancelOrder(order.id, { enforceWindow: false, actorId: staff.id });
    const cancelled = await waitFor('cancellation', () => twilio.to(c.phone).find((m) => m.Body?.includes('annulé')));
    expect(cancelled.Body).toBe(`Votre panier ${order.basketNumber} est annulé.`);
  });
});

describe('the weigh-in', () => {
  it('gives the final price once every weighed line is weighed, and tells the resident once', async () => {
    const c = await newResident();
    const order = await orders().placeOrder({
      groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'sms', confirm: true,
      lines: [{ productId: g.products.baguette, quantity: 1 }, { productId: g.products.pommes, quantity: 1, requestedGrams: 1000 }, { productId: g.products.poulet, quantity: 2 }],
    });
    const lines = await db.orderLine.findMany({ where: { orderId: order.id } });
    const pommes = lines.find((l) => l.productId === g.products.pommes)!;
    const poulet = lines.find((l) => l.productId === g.products.poulet)!;
    const weigh = (w: { lineId: string; grams: number[] }[]) => db.$transaction((tx) => recordWeighIn(tx, order.id, w, SYSTEM));
    // one line weighed: no final price yet
    expect(await weigh([{ lineId: pommes.id, grams: [1100] }])).toEqual({ finalCents: null });
    // a chicken is weighed piece by piece: two pieces, two weights
    await expect(weigh([{ lineId: poulet.id, grams: [1700] }])).rejects.toThrow(/2 weights/);
    // 1.1 kg of apples at 2.80 €/kg = 3.08 €, chickens 1.7 + 1.9 kg at 11.50 €/kg = 41.40 €, bread 1.20 €
    expect(await weigh([{ lineId: poulet.id, grams: [1700, 1900] }])).toEqual({ finalCents: 308 + 4140 + 120 });
    const notice = await waitFor('final price', () => twilio.to(c.phone).find((m) => m.Body?.includes('Montant final')));
    expect(notice.Body).toBe(`Panier ${order.basketNumber} pesé. Montant final : 45,68 €.`);
    // the same weights again change nothing and tell nobody twice
    await weigh([{ lineId: poulet.id, grams: [1700, 1900] }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.to(c.phone).filter((m) => m.Body?.includes('Montant final'))).toHaveLength(1);
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).finalCents).toBe(4568);
  });
});

describe('Twilio refusing', () => {
  it('429, then 500, then 201: the message is sent once', async () => {
    const c = await newResident();
    twilio.except(c.phone);
    const scope = nock('https://twilio.test')
      .post(/Messages\.json$/, (b: Record<string, string>) => b.To === c.phone).reply(429, { code: 20429, message: 'Too Many Requests', status: 429 })
      .post(/Messages\.json$/, (b: Record<string, string>) => b.To === c.phone).reply(500, { code: 20500, message: 'Internal Server Error', status: 500 })
      .post(/Messages\.json$/, (b: Record<string, string>) => b.To === c.phone).reply(201, { sid: 'SM' + 'c'.repeat(32), status: 'queued' });
    await operatorOrder(c.id);
    const row = await waitFor('sent', () => db.message.findFirst({ where: { toPhone: c.phone, twilioSid: 'SM' + 'c'.repeat(32) } }));
    expect(scope.isDone()).toBe(true);
    expect(row.attempts).toBe(3);
    expect(row.status).toBe('queued');
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.to(c.phone)).toHaveLength(0);
  });

  it('21610 (the resident sent STOP to Twilio): opted out, and a call task', async () => {
    const c = await newResident();
    twilio.except(c.phone);
    nock('https://twilio.test').post(/Messages\.json$/, (b: Record<string, string>) => b.To === c.phone)
      .reply(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 });
    await operatorOrder(c.id);
    const task = await waitFor('task', () => db.callTask.findFirst({ where: { customerId: c.id, kind: 'unreachable_resident' } }));
    expect(task.status).toBe('open');
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).smsOptedOut).toBe(true);
    const row = await db.message.findFirstOrThrow({ where: { toPhone: c.phone } });
    expect(row).toMatchObject({ status: 'failed', errorCode: 21610, attempts: 1 });
  });

  it('a notice queued before the resident sent STOP is not sent: Twilio is never asked, and the operator has a task', async () => {
    const c = await newResident({ smsOptedOut: true });
    const m = await db.message.create({ data: { groupId: g.groupId, direction: 'outbound', channel: 'sms', fromPhone: g.number, toPhone: c.phone, body: 'Panier 7 pret.', status: 'pending', kind: 'distribution.ready', recipientRole: 'resident', customerId: c.id } });
    await running.pipeline.senders.enqueue({ id: m.id, channel: 'sms', fromPhone: g.number, priority: 3 });
    const row = await waitFor('refused', async () => {
      const r = await db.message.findUniqueOrThrow({ where: { id: m.id } });
      return r.status === 'failed' ? r : null;
    });
    expect(row).toMatchObject({ errorCode: 21610, attempts: 0, twilioSid: null });
    expect(await db.callTask.count({ where: { messageId: m.id, kind: 'unreachable_resident' } })).toBe(1);
    expect(twilio.to(c.phone)).toHaveLength(0);
  });

  it('a reply waits for the earlier reply to the same person, whichever job comes first', async () => {
    const c = await newResident();
    const reply = (body: string, at: Date) => db.message.create({ data: {
      groupId: g.groupId, direction: 'outbound', channel: 'sms', fromPhone: g.number, toPhone: c.phone, body, status: 'pending', kind: 'reply',
      recipientRole: 'resident', customerId: c.id, inReplyToId: `in-${body}`, createdAt: at,
    } });
    const first = await reply('Premiere reponse.', new Date(Date.now() - 1000));
    const second = await reply('Seconde reponse.', new Date());
    await running.pipeline.senders.enqueue({ id: second.id, channel: 'sms', fromPhone: g.number, priority: 1 });
    // the later reply's job is held back while the earlier one has not gone
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.to(c.phone)).toHaveLength(0);
    expect((await db.message.findUniqueOrThrow({ where: { id: second.id } })).status).toBe('pending');
    await running.pipeline.senders.enqueue({ id: first.id, channel: 'sms', fromPhone: g.number, priority: 1 });
    await waitFor('both replies', () => twilio.to(c.phone).length === 2);
    expect(twilio.to(c.phone).map((x) => x.Body)).toEqual(['Premiere reponse.', 'Seconde reponse.']);
  });

  it('21614 (not a mobile): the line is marked landline and the notice goes by a call', async () => {
    const c = await newResident();
    twilio.except(c.phone);
    nock('https://twilio.test').post(/Messages\.json$/, (b: Record<string, string>) => b.To === c.phone)
      .reply(400, { code: 21614, message: "'To' number is not a valid mobile number", status: 400 });
    await operatorOrder(c.id);
    const call = await waitFor('call', () => twilio.calls.find((x) => x.To === c.phone));
    expect(call.From).toBe(g.number);
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).lineType).toBe('landline');
  });
});

describe('residents on a landline', () => {
  it('are called, hear the notice twice, can replay it; unanswered twice: a call task', async () => {
    const c = await newResident({ phone: '+33386' + String(Math.floor(Math.random() * 1e6)).padStart(6, '0'), lineType: 'landline' });
    await operatorOrder(c.id);
    const first = await waitFor('call', () => twilio.calls.find((x) => x.To === c.phone));
    const said = [...first.Twiml!.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((m) => m[1]);
    expect(said.filter((s) => s!.startsWith('Votre commande est confirmée'))).toHaveLength(2);
    expect(said).toContain('Pour réécouter, tapez 1.');
    const row = await db.message.findFirstOrThrow({ where: { toPhone: c.phone } });
    expect(row.channel).toBe('voice');

    // pressing 1 replays it
    const replayPath = `/twilio/voice/notice?messageId=${row.id}`;
    const replay = await request(app).post(replayPath).set('X-Twilio-Signature', sign(replayPath, { Digits: '1' })).type('form').send({ Digits: '1' });
    expect(replay.text.match(/Votre commande est confirmée/g)).toHaveLength(2);

    const statusPath = `/twilio/voice/notice-status?messageId=${row.id}`;
    const noAnswer = async (callSid: string) => {
      const params = { CallSid: callSid, CallStatus: 'no-answer' };
      const res = await request(app).post(statusPath).set('X-Twilio-Signature', sign(statusPath, params)).type('form').send(params);
      expect(res.status).toBe(204);
    };
    await noAnswer(first.sid);
    await noAnswer(first.sid); // a duplicate changes nothing
    const second = await waitFor('second call', () => twilio.calls.filter((x) => x.To === c.phone)[1]);
    await noAnswer(second.sid);
    const task = await waitFor('task', () => db.callTask.findFirst({ where: { messageId: row.id } }));
    expect(task.kind).toBe('unreachable_resident');
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.calls.filter((x) => x.To === c.phone)).toHaveLength(2);
  });
});

describe('the delivery lead dispatches couriers by SMS', () => {
  it('new delivery → lead; "A n PAUL" → courier and resident; OK, LIVRE → resident told', async () => {
    const carer = uniqueMobile();
    const c = await newResident({ secondaryContactPhone: carer, deliveryNotes: 'Sonner fort' });
    const order = await operatorOrder(c.id);
    const n = order.basketNumber!;
    await orders().requestDelivery(order.id, '3 rue des Forges, 58140 Lormes');
    const toLead = await waitFor('lead SMS', () => twilio.to(leadPhone).find((m) => m.Body?.startsWith(`Livraison panier ${n} `)));
    expect(toLead.Body).toMatch(new RegExp(`^Livraison panier ${n} - Lormes - \\w+\\. \\d+/\\d+ \\d+h\\d*-\\d+h\\d* - 3 articles\\. Répondez A ${n} PAUL pour l'attribuer\\.$`));
    expect(toLead.Body).not.toContain('rue des Forges');

    const assignSid = 'SM' + 'd'.repeat(31) + String(n % 10);
    expect(await text(leadPhone, `A ${n} PAUL`, assignSid)).toBe(`Panier ${n} attribué à Paul. SMS envoyé.`);
    // Twilio retried the webhook: the same answer, nothing twice
    expect(await text(leadPhone, `A ${n} PAUL`, assignSid)).toBe(`Panier ${n} attribué à Paul. SMS envoyé.`);
    const toCourier = await waitFor('courier SMS', () => twilio.to(paulPhone).find((m) => m.Body?.includes(`panier ${n}:`)));
    expect(toCourier.Body).toContain('Mme Martin, 3 rue des Forges, 58140 Lormes. Sonner fort.');
    expect(toCourier.Body).toContain(`Tel ${nationalPhone(c.phone)}`);
    expect(toCourier.Body).toContain('Epicerie test');
    const toResident = await waitFor('resident told', () => twilio.to(c.phone).find((m) => m.Body?.includes('sera livré')));
    expect(toResident.Body).toMatch(new RegExp(`^Votre panier ${n} sera livré .+ par Paul\\.$`));
    await waitFor('carer told', () => twilio.to(carer).find((m) => m.Body?.includes('sera livré')));
    expect(await db.outboxEvent.count({ where: { type: 'delivery.assigned', aggregateId: (await db.delivery.findUniqueOrThrow({ where: { orderId: order.id } })).id } })).toBe(1);

    expect(await text(paulPhone, `OK ${n}`)).toBe(`Merci, panier ${n} accepté.`);
    expect((await db.delivery.findUniqueOrThrow({ where: { orderId: order.id } })).status).toBe('accepted');
    expect(await text(paulPhone, `LIVRE ${n}`)).toBe(`Panier ${n} livré, merci !`);
    await waitFor('delivered notice', () => twilio.to(c.phone).find((m) => m.Body === `Votre panier ${n} a été livré. Merci et bonne journée !`));
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe('delivered');
  });

  it('ECHEC: a call task for the operator and the lead is told', async () => {
    const c = await newResident();
    const order = await operatorOrder(c.id);
    const n = order.basketNumber!;
    await orders().requestDelivery(order.id, 'Le Bourg, Bazoches');
    expect(await text(leadPhone, `A ${n} 1`)).toBe(`Panier ${n} attribué à Paul. SMS envoyé.`);
    // Sophie is not the courier of this basket
    const sophie = await db.courier.findFirstOrThrow({ where: { groupId: g.groupId, name: 'Sophie Leroy' } });
    expect(await text(sophie.phone, `LIVRE ${n}`)).toBe(`Le panier ${n} ne vous est pas attribué.`);
    expect(await text(paulPhone, `ECHEC ${n} personne absente`)).toBe(`Echec noté pour le panier ${n}, merci. L'accueil va rappeler la personne.`);
    const task = await db.callTask.findFirstOrThrow({ where: { orderId: order.id, kind: 'failed_delivery' } });
    expect(task.note).toContain('personne absente');
    await waitFor('lead told', () => twilio.to(leadPhone).find((m) => m.Body === `Echec livraison panier ${n} (Paul): personne absente. L'accueil va rappeler la personne.`));
  });

  it('LISTE, COURSIERS and help; a stranger texting "A 1 PAUL" is a resident', async () => {
    const c = await newResident();
    const order = await operatorOrder(c.id);
    await orders().requestDelivery(order.id, '1 place de la Mairie, 58140 Lormes');
    expect(await text(leadPhone, 'LISTE')).toContain(`${order.basketNumber} Lormes`);
    expect(await text(leadPhone, 'COURSIERS')).toBe('Livreurs: 1 Paul Martin, 2 Sophie Leroy.');
    expect(await text(leadPhone, 'bonjour')).toMatch(/^Commandes: A 12 PAUL/);
    expect(await text(leadPhone, 'A 999 PAUL')).toBe('Pas de livraison en cours pour le panier 999. LISTE pour les livraisons à attribuer.');
    expect(await text(leadPhone, `A ${order.basketNumber} ZOE`)).toBe('Livreur inconnu: ZOE. COURSIERS pour la liste.');
    const stranger = await text(uniqueMobile(), `A ${order.basketNumber} PAUL`);
    expect(stranger).not.toMatch(/attribué/);
    // a courier's order is a resident's order
    expect(await text(paulPhone, '2 baguettes')).toMatch(/Vous commandez/);
  });
});

describe('the minute sweep', () => {
  it('tells the lead when a courier has not accepted in time, once', async () => {
    const c = await newResident();
    const order = await operatorOrder(c.id);
    const n = order.basketNumber!;
    const d = await orders().requestDelivery(order.id, '5 rue Basse, 58140 Lormes');
    expect(await text(leadPhone, `A ${n} PAUL`)).toBe(`Panier ${n} attribué à Paul. SMS envoyé.`);
    const assignedAt = (await db.delivery.findUniqueOrThrow({ where: { id: d.id } })).assignedAt!;
    // an hour later: still in time (the default is two hours)
    await sweepOnce({ db, senders: running.pipeline.senders, now: new Date(assignedAt.getTime() + 3600_000) });
    expect((await db.delivery.findUniqueOrThrow({ where: { id: d.id } })).lateAlertAt).toBeNull();
    const late = new Date(assignedAt.getTime() + 2 * 3600_000 + 60_000);
    expect((await sweepOnce({ db, senders: running.pipeline.senders, now: late })).late).toBeGreaterThanOrEqual(1);
    expect((await sweepOnce({ db, senders: running.pipeline.senders, now: late })).late).toBe(0);
    await waitFor('lead told', () => twilio.to(leadPhone).find((m) => m.Body === `Panier ${n}: Paul n'a pas répondu OK ${n}. Pour réattribuer: A ${n} NOM.`));
    // once accepted, nobody is chased
    expect(await text(paulPhone, `OK ${n}`)).toBe(`Merci, panier ${n} accepté.`);
  });

  it('closes a distribution at closesAt and sends the lead the digest, unassigned first', async () => {
    const local = await createTestGroup(db);
    const lead = uniqueMobile();
    await db.staffUser.create({ data: { groupId: local.groupId, role: 'delivery_lead', name: 'Chef', phone: lead } });
    const paul = await db.courier.create({ data: { groupId: local.groupId, name: 'Paul', phone: uniqueMobile() } });
    const svc = createOrderService({ db });
    const placed = [];
    for (const address of ['1 rue A, 58140 Lormes', '2 rue B, 58190 Brassy']) {
      const cust = await db.customer.create({ data: { groupId: local.groupId, phone: uniqueMobile(), name: 'X', lineType: 'mobile' } });
      const o = await svc.placeOrder({ groupId: local.groupId, customerId: cust.id, distributionId: local.distributionId, channel: 'operator', confirm: true, lines: [{ productId: local.products.baguette, quantity: 1 }] });
      await svc.requestDelivery(o.id, address);
      placed.push(o);
    }
    const first = await db.delivery.findUniqueOrThrow({ where: { orderId: placed[0]!.id } });
    await db.$transaction((tx) => import('../src/orders/deliveries.js').then((m) => m.assignCourier(tx, first.id, paul.id, new Date())));
    const dist = await db.distribution.findUniqueOrThrow({ where: { id: local.distributionId } });
    const later = new Date(dist.closesAt.getTime() + 60_000);
    const counts = await sweepOnce({ db, senders: running.pipeline.senders, now: later });
    expect(counts.closed).toBeGreaterThanOrEqual(1);
    expect((await db.distribution.findUniqueOrThrow({ where: { id: dist.id } })).status).toBe('closed');
    // a second pass (another worker, the next minute) closes nothing again
    expect((await sweepOnce({ db, senders: running.pipeline.senders, now: later })).closed).toBe(0);
    const digest = await waitFor('digest', () => twilio.to(lead).find((m) => m.Body?.startsWith('Livraisons')));
    expect(digest.Body).toMatch(new RegExp(`: 2\\. A attribuer: ${placed[1]!.basketNumber} Brassy\\. Attribuées: ${placed[0]!.basketNumber} Lormes \\(Paul\\)\\.$`));
  });

  it('reminds residents who ordered in the last two distributions, not those who opted out or already ordered', async () => {
    const local = await createTestGroup(db);
    const svc = createOrderService({ db });
    const dist = await db.distribution.findUniqueOrThrow({ where: { id: local.distributionId } });
    const day = 24 * 3600_000;
    // the previous distribution, done; the next one, about to open
    const before = await db.distribution.create({ data: { groupId: local.groupId, relayPointId: local.relayId, opensAt: new Date(dist.opensAt.getTime() - 7 * day), closesAt: new Date(dist.opensAt.getTime() - 5 * day), pickupStart: new Date(dist.opensAt.getTime() - 4 * day), pickupEnd: new Date(dist.opensAt.getTime() - 4 * day + 3600_000), status: 'done' } });
    const next = await db.distribution.create({ data: { groupId: local.groupId, relayPointId: local.relayId, opensAt: new Date(dist.pickupEnd.getTime() + day), closesAt: new Date(dist.pickupEnd.getTime() + 3 * day), pickupStart: new Date(dist.pickupEnd.getTime() + 4 * day), pickupEnd: new Date(dist.pickupEnd.getTime() + 4 * day + 3600_000) } });
    const people = await Promise.all(['regular', 'stopped', 'old', 'landline'].map((k) =>
      db.customer.create({ data: { groupId: local.groupId, phone: k === 'landline' ? '+33386' + String(Math.floor(Math.random() * 1e6)).padStart(6, '0') : uniqueMobile(), name: k, lineType: k === 'landline' ? 'landline' : 'mobile', smsOptedOut: k === 'stopped' } })));
    const [regular, stopped, old, landline] = people;
    for (const c of [regular!, stopped!, landline!]) {
      await svc.placeOrder({ groupId: local.groupId, customerId: c.id, distributionId: local.distributionId, channel: 'operator', confirm: true, lines: [{ productId: local.products.baguette, quantity: 1 }] });
    }
    // "old" ordered only at a distribution three back: not reminded
    await db.order.create({ data: { groupId: local.groupId, customerId: old!.id, distributionId: before.id, channel: 'sms', status: 'collected' } });
    await db.distribution.update({ where: { id: local.distributionId }, data: { status: 'done' } });
    await db.distribution.create({ data: { groupId: local.groupId, relayPointId: local.relayId, opensAt: new Date(dist.opensAt.getTime() - 3 * day), closesAt: new Date(dist.opensAt.getTime() - 2 * day), pickupStart: new Date(dist.opensAt.getTime() - 2 * day + 3600_000), pickupEnd: new Date(dist.opensAt.getTime() - 2 * day + 7200_000), status: 'done' } });
    const counts = await sweepOnce({ db, senders: running.pipeline.senders, now: new Date(next.opensAt.getTime() + 60_000) });
    expect(counts.reminders).toBeGreaterThanOrEqual(1);
    expect((await db.distribution.findUniqueOrThrow({ where: { id: next.id } })).openReminderAt).not.toBeNull();
    const reminder = await waitFor('reminder', () => twilio.to(regular!.phone).find((m) => m.Body?.startsWith('Les commandes du panier sont ouvertes')));
    expect(reminder.Body).toMatch(/STOP: plus de SMS\.$/);
    await waitFor('landline call', () => twilio.calls.find((c) => c.To === landline!.phone));
    await new Promise((r) => setTimeout(r, 300));
    expect(twilio.to(stopped!.phone)).toHaveLength(0);
    expect(twilio.to(old!.phone)).toHaveLength(0);
  });
});

describe('graceful shutdown', () => {
  it('stops taking jobs, lets the send in flight finish, and closes within its time limit', async () => {
    // the file's pipeline is the only one running: stopping it is the test (the last of the file)
    const own = running;
    // a group of its own: the sweep tests above closed the shared distribution
    const local = await createTestGroup(db);
    const c = await db.customer.create({ data: { groupId: local.groupId, phone: uniqueMobile(), name: 'Mme Durand', lineType: 'mobile' } });
    twilio.except(c.phone);
    let answered = 0;
    nock('https://twilio.test').post(/Messages\.json$/, (b: Record<string, string>) => b.To === c.phone)
      .delay(1_500)
      .reply(201, () => {
        answered++;
        return { sid: 'SM' + 'e'.repeat(32), status: 'queued' };
      });
    await orders().placeOrder({ groupId: local.groupId, customerId: c.id, distributionId: local.distributionId, channel: 'operator', confirm: true, lines: [{ productId: local.products.baguette, quantity: 1 }] });
    await waitFor('send in flight', () => db.message.findFirst({ where: { toPhone: c.phone, status: 'sending' } }));
    const started = Date.now();
    await own.stop();
    stopped = true;
    const took = Date.now() - started;
    // the active send was finished, not cut: Twilio's answer is recorded
    const row = await db.message.findFirstOrThrow({ where: { toPhone: c.phone } });
    expect(answered).toBe(1);
    expect(row).toMatchObject({ status: 'queued', twilioSid: 'SM' + 'e'.repeat(32) });
    expect(took).toBeLessThan(8_000);
  });
});
