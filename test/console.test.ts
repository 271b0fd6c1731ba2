// The console's doors: sessions, CSRF, roles checked on the server for every page and action.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hash } from '@node-rs/argon2';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../src/app.js';
import { phoneDigits } from '../src/console/customers.js';
import { createOrderService } from '../src/orders/orderService.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';

const PASSWORD = 'correct horse battery';
let db: Db;
let g: TestGroup;
let redis: Redis;
let app: ReturnType<typeof createApp>;
let recordingServer: http.Server;
let recordingBase: string;
const emails: Record<string, string> = {};

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  const passwordHash = await hash(PASSWORD);
  const producerId = g.producerId;
  for (const role of ['coordinator', 'operator', 'delivery_lead', 'producer'] as const) {
    emails[role] = `${role}-${crypto.randomBytes(3).toString('hex')}@panier.test`;
    await db.staffUser.create({ data: { groupId: g.groupId, role, name: `Staff ${role}`, email: emails[role], passwordHash, phone: role === 'delivery_lead' ? uniqueMobile() : null, producerId: role === 'producer' ? producerId : null } });
  }
  // "Twilio's" recordings, behind basic auth
  recordingServer = http.createServer((req, res) => {
    const expected = `Basic ${Buffer.from(`AC${'1'.repeat(32)}:console-test-token`).toString('base64')}`;
    if (req.headers.authorization !== expected) return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'audio/x-wav' }).end(Buffer.from('RIFF-fake-audio'));
  });
  await new Promise<void>((r) => recordingServer.listen(0, '127.0.0.1', r));
  recordingBase = `http://127.0.0.1:${(recordingServer.address() as AddressInfo).port}`;
  app = createApp({
    config: { publicBaseUrl: 'http://panier.test', twilio: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'console-test-token', apiBaseUrl: recordingBase, demoMode: false } },
    db, redis, log: createLogger('silent'), redisPrefix: `t-${crypto.randomBytes(4).toString('hex')}:`, anonymousPerMinute: 10_000,
  });
});

afterAll(async () => {
  redis.disconnect();
  await new Promise((r) => recordingServer.close(r));
});

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function login(role: string) {
  const agent = request.agent(app);
  const page = await agent.get('/console/login');
  const res = await agent.post('/console/login').type('form').send({ email: emails[role], password: PASSWORD, _csrf: csrfOf(page.text) });
  expect(res.status).toBe(303);
  const home = await agent.get(res.headers.location as string);
  return { agent, csrf: csrfOf(home.text), home };
}

describe('console sessions', () => {
  it('a request without a session is sent to the login page', async () => {
    const res = await request(app).get('/console/tasks');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/login?next=%2Fconsole%2Ftasks');
  });

  it('a wrong password is refused in French; the right one opens the role’s home', async () => {
    const agent = request.agent(app);
    const page = await agent.get('/console/login');
    const wrong = await agent.post('/console/login').type('form').send({ email: emails.operator, password: 'nope', _csrf: csrfOf(page.text) });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Adresse ou mot de passe incorrect.');
    const { home } = await login('operator');
    expect(home.status).toBe(200);
    expect(home.text).toContain('<h1>À traiter</h1>');
  });

  it('a form posted without its CSRF token is refused and changes nothing', async () => {
    const task = await db.callTask.create({ data: { groupId: g.groupId, kind: 'call_back', callerPhone: uniqueMobile() } });
    const { agent, csrf } = await login('operator');
    const refused = await agent.post(`/console/tasks/${task.id}/done`).type('form').send({});
    expect(refused.status).toBe(403);
    expect((await db.callTask.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('open');
    const done = await agent.post(`/console/tasks/${task.id}/done`).type('form').send({ _csrf: csrf });
    expect(done.status).toBe(303);
    expect((await db.callTask.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('done');
  });

  it('logging out ends the session', async () => {
    const { agent, csrf } = await login('operator');
    await agent.post('/console/logout').type('form').send({ _csrf: csrf }).expect(303);
    expect((await agent.get('/console/tasks')).status).toBe(303);
  });
});

describe('roles, checked on the server', () => {
  it.each([
    ['producer', '/console/tasks', 403],
    ['producer', '/console/customers?q=06', 403],
    ['producer', '/console/deliveries', 403],
    ['delivery_lead', '/console/tasks', 403],
    ['delivery_lead', '/console/customers', 403],
    ['delivery_lead', '/console/deliveries', 200],
    ['operator', '/console/deliveries', 200],
    ['coordinator', '/console/tasks', 200],
  ])('%s → %s: %i', async (role, path, status) => {
    const { agent } = await login(role);
    expect((await agent.get(path)).status).toBe(status);
  });

  it('a producer never sees a resident’s address', async () => {
    await db.customer.update({ where: { id: g.customerId }, data: { address: '9 impasse Secrète, 58140 Lormes' } });
    const { agent, home } = await login('producer');
    expect(home.text).not.toContain('impasse Secrète');
    for (const path of ['/console/customers?q=Test', '/console/deliveries', '/console/tasks']) {
      expect((await agent.get(path)).text).not.toContain('impasse Secrète');
    }
  });
});

describe('à traiter', () => {
  it('lists open tasks newest first, with the count in the header; take, call back with a note', async () => {
    const phone = uniqueMobile();
    const older = await db.callTask.create({ data: { groupId: g.groupId, kind: 'order_to_enter', callerPhone: phone, createdAt: new Date(Date.now() - 60_000) } });
    const newer = await db.callTask.create({ data: { groupId: g.groupId, kind: 'unreachable_resident', callerPhone: phone, note: 'A prévenir par téléphone : Panier 3 annulé.' } });
    const { agent, csrf } = await login('operator');
    const page = await agent.get('/console/tasks');
    expect(page.text.indexOf(`task-${newer.id}`)).toBeLessThan(page.text.indexOf(`task-${older.id}`));
    expect(page.text).toContain('Commande à saisir');
    expect(page.text).toMatch(/À traiter <span class="count">\d+<\/span>/);
    await agent.post(`/console/tasks/${older.id}/take`).type('form').send({ _csrf: csrf }).expect(303);
    const taken = await db.callTask.findUniqueOrThrow({ where: { id: older.id } });
    expect(taken.status).toBe('in_progress');
    await agent.post(`/console/tasks/${newer.id}/called`).type('form').send({ _csrf: csrf, note: 'messagerie, rappel demain' }).expect(303);
    const called = await db.callTask.findUniqueOrThrow({ where: { id: newer.id } });
    expect(called.status).toBe('done');
    expect(called.note).toContain('Rappelé par Staff operator : messagerie, rappel demain');
  });

  it('plays the recording through the console, never another group’s', async () => {
    const task = await db.callTask.create({ data: { groupId: g.groupId, kind: 'order_to_enter', callerPhone: uniqueMobile(), recordingUrl: `${recordingBase}/2010-04-01/Accounts/AC/Recordings/RE1`, recordingSeconds: 12 } });
    const { agent } = await login('operator');
    const page = await agent.get('/console/tasks');
    expect(page.text).toContain(`/console/tasks/${task.id}/recording`);
    expect(page.text).not.toContain(recordingBase);
    const audio = await agent.get(`/console/tasks/${task.id}/recording`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(audio.status).toBe(200);
    expect(audio.headers['content-type']).toContain('audio/x-wav');
    expect((audio.body as Buffer).toString()).toBe('RIFF-fake-audio');
    const other = await createTestGroup(db);
    const foreign = await db.callTask.create({ data: { groupId: other.groupId, kind: 'call_back', callerPhone: uniqueMobile(), recordingUrl: `${recordingBase}/x` } });
    expect((await agent.get(`/console/tasks/${foreign.id}/recording`)).status).toBe(404);
  });
});

describe('customers and deliveries', () => {
  it('finds a resident by any part of the number, typed the French way', async () => {
    expect(phoneDigits('06 12 34')).toBe('3361234');
    expect(phoneDigits('+33 6 12')).toBe('33612');
    expect(phoneDigits('0033 6 12')).toBe('33612');
    expect(phoneDigits('12.34.56')).toBe('123456');
    const c = await db.customer.create({ data: { groupId: g.groupId, phone: '+33699887766', name: 'Jeanne Dupont', lineType: 'mobile' } });
    const { agent } = await login('operator');
    for (const q of ['06 99 88', '+33 6 99 88 77 66', '87.76', 'dupont']) {
      expect((await agent.get(`/console/customers?q=${encodeURIComponent(q)}`)).text, q).toContain('Jeanne Dupont');
    }
    expect((await agent.get('/console/customers?q=0611')).text).not.toContain('Jeanne Dupont');
    expect(c.id).toBeTruthy();
  });

  it('the delivery lead assigns a courier from the register: the same service as the SMS command', async () => {
    const courier = await db.courier.create({ data: { groupId: g.groupId, name: 'Paul Martin', phone: uniqueMobile() } });
    const svc = createOrderService({ db });
    const order = await svc.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'operator', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    const delivery = await svc.requestDelivery(order.id, '7 rue du Four, 58140 Lormes');
    const { agent, csrf } = await login('delivery_lead');
    const page = await agent.get('/console/deliveries');
    expect(page.text).toContain('7 rue du Four, 58140 Lormes');
    expect(page.text).toContain('À attribuer');
    expect((await agent.post(`/console/deliveries/${delivery.id}/assign`).type('form').send({ _csrf: csrf, courierId: courier.id })).status).toBe(303);
    const after = await db.delivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(after).toMatchObject({ status: 'assigned', courierId: courier.id });
    expect(await db.outboxEvent.count({ where: { type: 'delivery.assigned', aggregateId: delivery.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: 'delivery.assigned', entityId: delivery.id } })).toBe(1);
    expect((await agent.get('/console/deliveries')).text).toContain('Attribuée à Paul Martin');
  });
});

describe('the login is rate-limited', () => {
  it('works on an app built before its Redis connection is up (as at start)', async () => {
    // the production connection does not queue commands while connecting
    const fresh = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const early = createApp({
      config: { publicBaseUrl: 'http://panier.test', twilio: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'console-test-token', apiBaseUrl: recordingBase, demoMode: false } },
      db, redis: fresh, log: createLogger('silent'), redisPrefix: `t-${crypto.randomBytes(4).toString('hex')}:`, anonymousPerMinute: 10_000,
    });
    await new Promise((r) => setTimeout(r, 300));
    const agent = request.agent(early);
    const page = await agent.get('/console/login');
    const res = await agent.post('/console/login').type('form').send({ email: emails.operator, password: PASSWORD, _csrf: csrfOf(page.text) });
    expect(res.status).toBe(303);
    fresh.disconnect();
  });

  it('five wrong passwords, then a pause', async () => {
    // an app of its own (its own counters): the other tests keep logging in from this address
    const limited = createApp({
      config: { publicBaseUrl: 'http://panier.test', twilio: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'console-test-token', apiBaseUrl: recordingBase, demoMode: false } },
      db, redis, log: createLogger('silent'), redisPrefix: `t-${crypto.randomBytes(4).toString('hex')}:`, anonymousPerMinute: 10_000,
    });
    const agent = request.agent(limited);
    const page = await agent.get('/console/login');
    const token = csrfOf(page.text);
    const email = emails.coordinator;
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await agent.post('/console/login').type('form').send({ email, password: `wrong-${i}`, _csrf: token })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // for a while even with the right password (it gets in after the account's wait: test/security/login.test.ts)
    expect((await agent.post('/console/login').type('form').send({ email, password: PASSWORD, _csrf: token })).status).toBe(429);
  });
});

describe('phone order entry', () => {
  const rows = (items: [string, string, string?][]) => Object.fromEntries(items.flatMap(([code, quantity, grams], i) => [[`code_${i}`, code], [`quantity_${i}`, quantity], [`grams_${i}`, grams ?? '']]));

  it('shows the estimated total, then places the order for a new customer with delivery', async () => {
    const { agent, csrf } = await login('operator');
    const phone = uniqueMobile();
    const form = { _csrf: csrf, phone: phone.replace('+33', '0'), name: 'Lucien Petit', fulfilment: 'delivery', address: '2 rue Neuve, 58140 Lormes', ...rows([['1', '2'], ['10', '1', '1500'], ['', '']]) };
    const preview = await agent.post('/console/orders/new').type('form').send({ ...form, action: 'preview' });
    expect(preview.status).toBe(200);
    // 2 baguettes 2,40 € + 1.5 kg of apples at 2,80 €/kg = 4,20 €: about 6,60 €
    expect(preview.text).toContain('environ 6,60 €');
    expect(await db.customer.count({ where: { phone } })).toBe(0);
    const done = await agent.post('/console/orders/new').type('form').send({ ...form, action: 'confirm' });
    expect(done.status).toBe(303);
    const customer = await db.customer.findUniqueOrThrow({ where: { groupId_phone: { groupId: g.groupId, phone } }, include: { orders: { include: { lines: true, delivery: true } } } });
    expect(customer.name).toBe('Lucien Petit');
    const order = customer.orders[0]!;
    expect(order).toMatchObject({ channel: 'operator', status: 'confirmed', fulfilment: 'delivery', estimatedCents: 660 });
    expect(order.delivery?.address).toBe('2 rue Neuve, 58140 Lormes');
    expect(order.enteredById).toBeTruthy();
    expect(await db.auditEvent.count({ where: { action: 'order.entered', entityId: order.id } })).toBe(1);
    expect(await db.outboxEvent.count({ where: { type: 'order.confirmed', aggregateId: order.id } })).toBe(1);
    const flash = await agent.get('/console/orders/new');
    expect(flash.text).toContain(`Commande enregistrée : panier ${order.basketNumber}.`);
  });

  it('an unknown code is said plainly and nothing is ordered', async () => {
    const { agent, csrf } = await login('operator');
    const res = await agent.post('/console/orders/new').type('form').send({ _csrf: csrf, customerId: g.customerId, fulfilment: 'pickup', action: 'confirm', ...rows([['999', '1']]) });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Ligne 1 : pas de produit 999.');
    expect(await db.order.count({ where: { customerId: g.customerId, channel: 'operator', enteredById: { not: null } } })).toBe(0);
  });

  it('entered from a voicemail task: the task is done and linked to the order', async () => {
    const task = await db.callTask.create({ data: { groupId: g.groupId, kind: 'order_to_enter', callerPhone: uniqueMobile(), customerId: g.customerId } });
    const { agent, csrf } = await login('operator');
    const page = await agent.get(`/console/orders/new?taskId=${task.id}&customerId=${g.customerId}`);
    expect(page.text).toContain('Madame Test');
    const res = await agent.post('/console/orders/new').type('form').send({ _csrf: csrf, taskId: task.id, customerId: g.customerId, fulfilment: 'pickup', action: 'confirm', ...rows([['3', '2']]) });
    expect(res.status).toBe(303);
    const after = await db.callTask.findUniqueOrThrow({ where: { id: task.id } });
    expect(after.status).toBe('done');
    expect(after.orderId).toBeTruthy();
  });
});

describe('weigh-in', () => {
  it('lists weighed lines by producer, takes grams or kilos, one weight per piece; final prices follow', async () => {
    const svc = createOrderService({ db });
    const customer = await db.customer.create({ data: { groupId: g.groupId, phone: uniqueMobile(), name: 'Albert Weigh', lineType: 'mobile' } });
    const order = await svc.placeOrder({
      groupId: g.groupId, customerId: customer.id, distributionId: g.distributionId, channel: 'operator', confirm: true,
      lines: [{ productId: g.products.pommes, quantity: 1, requestedGrams: 1000 }, { productId: g.products.poulet, quantity: 2 }, { productId: g.products.baguette, quantity: 1 }],
    });
    const lines = await db.orderLine.findMany({ where: { orderId: order.id } });
    const pommes = lines.find((l) => l.productId === g.products.pommes)!;
    const poulet = lines.find((l) => l.productId === g.products.poulet)!;
    const { agent, csrf } = await login('operator');
    const page = await agent.get(`/console/weigh?distribution=${g.distributionId}`);
    expect(page.text).toContain('<h2>Ferme test</h2>');
    expect(page.text).toContain(`name="w_${poulet.id}_1"`);
    expect(page.text).not.toContain(`name="w_${pommes.id}_1"`);
    const saved = await agent.post('/console/weigh').type('form').send({ _csrf: csrf, distribution: g.distributionId, [`w_${pommes.id}_0`]: '1.1', [`w_${poulet.id}_0`]: '1700', [`w_${poulet.id}_1`]: '1,9' });
    expect(saved.status).toBe(303);
    const after = await db.order.findUniqueOrThrow({ where: { id: order.id } });
    // 1.1 kg × 2,80 € + 3.6 kg × 11,50 € + 1,20 €
    expect(after.finalCents).toBe(308 + 4140 + 120);
    expect(await db.outboxEvent.count({ where: { type: 'order.finalized', aggregateId: order.id } })).toBe(1);
    const again = await agent.get(`/console/weigh?distribution=${g.distributionId}`);
    expect(again.text).toContain('Pesée enregistrée. 1 panier au prix final.');
    expect(again.text).toContain('41,40 €');
  });
});

describe('orders of a distribution', () => {
  it('filters, marks collected and paid, cancels (the resident is told), prints the sign-off sheet', async () => {
    const svc = createOrderService({ db });
    const mk = async (name: string, productId: string) => {
      const c = await db.customer.create({ data: { groupId: g.groupId, phone: uniqueMobile(), name, lineType: 'mobile' } });
      return svc.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId, quantity: 1 }] });
    };
    const a = await mk('Anne Relais', g.products.baguette);
    const b = await mk('Bruno Relais', g.products.comte);
    const { agent, csrf } = await login('operator');
    const all = await agent.get(`/console/orders?distribution=${g.distributionId}`);
    expect(all.text).toContain('Anne Relais');
    expect(all.text).toContain('Bruno Relais');
    expect(all.text).toMatch(/<a href="\/console\/orders" aria-current="page">Commandes/);
    // Comté is weighed: its total is an estimate
    expect(all.text).toMatch(/Bruno Relais[\s\S]*?environ 5,20 €/);
    await agent.post(`/console/orders/${a.id}/collected`).type('form').send({ _csrf: csrf, paid: '1' }).expect(303);
    expect(await db.order.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: 'collected' });
    expect((await db.order.findUniqueOrThrow({ where: { id: a.id } })).paidAt).not.toBeNull();
    const collected = await agent.get(`/console/orders?distribution=${g.distributionId}&status=collected`);
    expect(collected.text).toContain('Anne Relais');
    expect(collected.text).not.toContain('Bruno Relais');
    await agent.post(`/console/orders/${b.id}/cancel`).type('form').send({ _csrf: csrf }).expect(303);
    expect((await db.order.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('cancelled');
    const event = await db.outboxEvent.findFirstOrThrow({ where: { type: 'order.cancelled', aggregateId: b.id } });
    expect(event.payload).toMatchObject({ by: 'staff' });
    const sheet = await agent.get(`/console/orders/sheet?distribution=${g.distributionId}`);
    expect(sheet.text).toContain('Feuille d’émargement');
    expect(sheet.text).toContain('Anne Relais');
    expect(sheet.text).not.toContain('Bruno Relais');
  });
});

describe('customers without email', () => {
  it('creates a resident with a carer, refuses a duplicate number, edits', async () => {
    const { agent, csrf } = await login('operator');
    const phone = uniqueMobile();
    const carer = uniqueMobile();
    const form = { _csrf: csrf, name: 'Odette Morel', phone: phone.replace('+33', '0'), lineType: 'unknown', address: '1 place de l’Église, 58140 Lormes', deliveryByDefault: '1', preferredChannel: 'voice', secondaryContactName: 'Paul (fils)', secondaryContactPhone: carer, secondaryContactReason: 'demandé par Mme Morel' };
    // RGPD: a carer without a recorded reason is refused, and nothing is saved
    const noReason = await agent.post('/console/customers/new').type('form').send({ ...form, secondaryContactReason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Dites pourquoi ce proche reçoit des copies');
    expect(await db.customer.findUnique({ where: { groupId_phone: { groupId: g.groupId, phone } } })).toBeNull();
    expect((await agent.post('/console/customers/new').type('form').send(form)).status).toBe(303);
    const c = await db.customer.findUniqueOrThrow({ where: { groupId_phone: { groupId: g.groupId, phone } } });
    expect(c).toMatchObject({ name: 'Odette Morel', lineType: 'mobile', deliveryByDefault: true, preferredChannel: 'voice', secondaryContactPhone: carer, secondaryContactReason: 'demandé par Mme Morel', secondaryContactToldAt: null });
    const operator = await db.staffUser.findUniqueOrThrow({ where: { email: emails.operator } });
    expect(c.secondaryContactAddedById).toBe(operator.id);
    expect(c.secondaryContactAddedAt).toBeInstanceOf(Date);
    const dup = await agent.post('/console/customers/new').type('form').send(form);
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('Un habitant a déjà ce numéro');
    const bad = await agent.post('/console/customers/new').type('form').send({ ...form, phone: '12' });
    expect(bad.status).toBe(400);
    const edit = await agent.get(`/console/customers/${c.id}`);
    expect(edit.text).toContain('Odette Morel');
    await agent.post(`/console/customers/${c.id}`).type('form').send({ ...form, name: 'Odette Morel-Petit', secondaryContactPhone: '' }).expect(303);
    expect(await db.customer.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ name: 'Odette Morel-Petit', secondaryContactPhone: null });
  });
});

describe('sheets and exports', () => {
  it('a producer sees only their own preparation list, by basket, without addresses', async () => {
    const other = await db.producer.create({ data: { groupId: g.groupId, name: 'Autre ferme' } });
    const secret = await db.product.create({ data: { groupId: g.groupId, producerId: other.id, code: 77, name: 'Miel secret', category: 'Epicerie', unit: 'piece', priceCents: 800 } });
    const svc = createOrderService({ db });
    const c = await db.customer.create({ data: { groupId: g.groupId, phone: uniqueMobile(), name: 'Hélène Prep', lineType: 'mobile', address: '4 allée Cachée' } });
    const o = await svc.placeOrder({ groupId: g.groupId, customerId: c.id, distributionId: g.distributionId, channel: 'operator', confirm: true, lines: [{ productId: g.products.poulet, quantity: 2 }, { productId: secret.id, quantity: 1 }] });
    const { agent, home } = await login('producer');
    expect(home.text).toContain('<h2>Ferme test</h2>');
    expect(home.text).toContain('Poulet fermier');
    expect(home.text).toContain(`panier ${o.basketNumber} : 2 · 3600 g`);
    expect(home.text).not.toContain('Miel secret');
    expect(home.text).not.toContain('Autre ferme');
    expect(home.text).not.toContain('4 allée Cachée');
    expect((await agent.get('/console/sheets/catalogue')).status).toBe(403);
    expect((await agent.get('/console/exports/orders.csv')).status).toBe(403);
    // the coordinator sees every producer
    const coord = await login('coordinator');
    const all = await coord.agent.get('/console/sheets/preparation');
    expect(all.text).toContain('Autre ferme');
  });

  it('the catalogue sheet has the number to call, the codes and prices, in big type', async () => {
    const { agent } = await login('operator');
    const sheet = await agent.get('/console/sheets/catalogue');
    expect(sheet.text).toContain(g.number.replace('+33', '0').replace(/(\d{2})(?=\d)/g, '$1 ').trim());
    expect(sheet.text).toMatch(/<strong>1<\/strong><\/td><td>Baguette tradition<\/td><td>1,20 €<\/td>/);
    expect(sheet.text).toContain('2,80 € le kg');
  });

  it('exports open in French Excel: BOM, semicolons', async () => {
    const { agent } = await login('operator');
    for (const path of ['/console/exports/orders.csv', '/console/exports/producers.csv', '/console/exports/deliveries.csv']) {
      const res = await agent.get(`${path}?distribution=${g.distributionId}`).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (x: Buffer) => chunks.push(x));
        r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
      });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      const body = res.body as string;
      expect(body.charCodeAt(0)).toBe(0xfeff);
      expect(body.split('\n')[0]).toContain(';');
    }
  });
});

describe('queue dashboard', () => {
  it('is the coordinator’s only', async () => {
    const coord = await login('coordinator');
    const page = await coord.agent.get('/console/queues');
    expect(page.status).toBe(200);
    const api = await coord.agent.get('/console/queues/api/queues?activeQueue=outbox-events&page=1&jobsPerPage=10');
    expect(api.status).toBe(200);
    expect((api.body as { queues: { name: string }[] }).queues.map((q) => q.name)).toEqual(expect.arrayContaining(['outbox-events', 'calls', 'sweep']));
    const op = await login('operator');
    expect((await op.agent.get('/console/queues')).status).toBe(403);
    expect((await request(app).get('/console/queues/api/queues')).status).toBe(303);
  });
});

describe('catalogue', () => {
  it('a coordinator adds a product; a pricing mistake is refused in plain words', async () => {
    const { agent, csrf } = await login('coordinator');
    const ok = await agent.post('/console/catalogue/products').type('form').send({ _csrf: csrf, producerId: g.producerId, code: '41', name: 'Yaourt nature', category: 'Crèmerie', unit: 'piece', price: '0,90', vat: '5.5' });
    expect(ok.status).toBe(303);
    expect(await db.product.findFirstOrThrow({ where: { groupId: g.groupId, code: 41 } })).toMatchObject({ name: 'Yaourt nature', priceCents: 90, vatRateBp: 550 });
    const bad = await agent.post('/console/catalogue/products').type('form').send({ _csrf: csrf, producerId: g.producerId, code: '42', name: 'Pain pesé', category: 'Pain', unit: 'piece', price: '2', variableWeight: '1' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Tarif incohérent');
    const taken = await agent.post('/console/catalogue/products').type('form').send({ _csrf: csrf, producerId: g.producerId, code: '41', name: 'Autre', category: 'X', unit: 'piece', price: '1' });
    expect(taken.status).toBe(409);
  });

  it('a producer sees and edits only their own products', async () => {
    const other = await db.producer.create({ data: { groupId: g.groupId, name: 'Ferme voisine' } });
    const theirs = await db.product.create({ data: { groupId: g.groupId, producerId: other.id, code: 88, name: 'Cidre voisin', category: 'Boissons', unit: 'litre', priceCents: 450 } });
    const { agent, csrf } = await login('producer');
    const page = await agent.get('/console/catalogue');
    expect(page.text).toContain('Baguette tradition');
    expect(page.text).not.toContain('Cidre voisin');
    const hack = await agent.post(`/console/catalogue/products/${theirs.id}`).type('form').send({ _csrf: csrf, code: '88', name: 'Cidre à moi', category: 'Boissons', unit: 'litre', price: '1', active: '1' });
    expect(hack.status).toBe(404);
    expect((await db.product.findUniqueOrThrow({ where: { id: theirs.id } })).name).toBe('Cidre voisin');
    const mine = await agent.post(`/console/catalogue/products/${g.products.baguette}`).type('form').send({ _csrf: csrf, code: '1', name: 'Baguette tradition', category: 'Pain', unit: 'piece', price: '1,30', active: '1' });
    expect(mine.status).toBe(303);
    expect((await db.product.findUniqueOrThrow({ where: { id: g.products.baguette } })).priceCents).toBe(130);
    await db.product.update({ where: { id: g.products.baguette }, data: { priceCents: 120 } });
    // and cannot import
    expect((await agent.post('/console/catalogue/import').field('_csrf', csrf).attach('file', Buffer.from('x'), 'c.csv')).status).toBe(403);
  });

  it('imports a spreadsheet through the page: a dry run first, and a bad row writes nothing', async () => {
    const { agent, csrf } = await login('coordinator');
    const csv = '\uFEFFproducer;code;name;category;unit;price\nFerme test;51;Lait cru;Crèmerie;litre;1,10\nFerme test;52;Beurre;Crèmerie;piece;3,20\n';
    const dry = await agent.post('/console/catalogue/import').field('_csrf', csrf).field('dryRun', '1').attach('file', Buffer.from(csv), 'catalogue.csv');
    expect(dry.status).toBe(200);
    expect(dry.text).toContain('Essai à blanc : 2 produits seraient créés, 0 modifié. Rien n’a été enregistré.');
    expect(await db.product.count({ where: { groupId: g.groupId, code: { in: [51, 52] } } })).toBe(0);
    const done = await agent.post('/console/catalogue/import').field('_csrf', csrf).attach('file', Buffer.from(csv), 'catalogue.csv');
    expect(done.text).toContain('2 produits créés, 0 modifié.');
    expect(await db.product.count({ where: { groupId: g.groupId, code: { in: [51, 52] } } })).toBe(2);
    const broken = await agent.post('/console/catalogue/import').field('_csrf', csrf).attach('file', Buffer.from(`${csv}Ferme test;53;Crème;Crèmerie;bidon;2\n`), 'catalogue.csv');
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('0 produit serait créé, 2 modifiés, 1 ligne refusée : ligne 4 : unité inconnue');
    expect(await db.product.count({ where: { groupId: g.groupId, code: 53 } })).toBe(0);
    // without the CSRF field, nothing is read
    expect((await agent.post('/console/catalogue/import').attach('file', Buffer.from(csv), 'catalogue.csv')).status).toBe(403);
  });
});

describe('distributions and team (coordinator)', () => {
  it('creates a distribution in local time, refuses impossible times in French, closes one', async () => {
    const { agent, csrf } = await login('coordinator');
    const bad = await agent.post('/console/distributions').type('form').send({ _csrf: csrf, relayPointId: g.relayId, opensAt: '2027-01-10T20:00', closesAt: '2027-01-08T20:00', pickupStart: '2027-01-12T16:00', pickupEnd: '2027-01-12T19:00' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Les commandes doivent ouvrir avant de fermer.');
    const ok = await agent.post('/console/distributions').type('form').send({ _csrf: csrf, relayPointId: g.relayId, opensAt: '2027-01-05T20:00', closesAt: '2027-01-09T20:00', pickupStart: '2027-01-12T16:00', pickupEnd: '2027-01-12T19:00' });
    expect(ok.status).toBe(303);
    const d = await db.distribution.findFirstOrThrow({ where: { groupId: g.groupId, opensAt: new Date('2027-01-05T19:00:00Z') } });
    // 16:00 in Paris in January is 15:00 UTC
    expect(d.pickupStart.toISOString()).toBe('2027-01-12T15:00:00.000Z');
    await agent.post(`/console/distributions/${d.id}/close`).type('form').send({ _csrf: csrf }).expect(303);
    expect((await db.distribution.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('closed');
    const op = await login('operator');
    expect((await op.agent.get('/console/distributions')).status).toBe(403);
  });

  it('creates accounts and couriers, and deactivates them (never oneself)', async () => {
    const { agent, csrf } = await login('coordinator');
    const mail = `nouvelle-${crypto.randomBytes(3).toString('hex')}@panier.test`;
    expect((await agent.post('/console/team/staff').type('form').send({ _csrf: csrf, role: 'operator', name: 'Nadia Accueil', email: mail, password: 'assez-long-123' })).status).toBe(303);
    const created = await db.staffUser.findUniqueOrThrow({ where: { email: mail } });
    expect(created.passwordHash).toMatch(/^\$argon2id\$/);
    const short = await agent.post('/console/team/staff').type('form').send({ _csrf: csrf, role: 'operator', name: 'X', email: `x${mail}`, password: 'court' });
    expect(short.status).toBe(400);
    expect((await agent.post('/console/team/staff').type('form').send({ _csrf: csrf, role: 'delivery_lead', name: 'Sans tel' })).text).toContain('son téléphone est demandé');
    // Nadia logs in, then is deactivated: her session ends at once
    const nadia = request.agent(app);
    const form = await nadia.get('/console/login');
    await nadia.post('/console/login').type('form').send({ email: mail, password: 'assez-long-123', _csrf: csrfOf(form.text) }).expect(303);
    expect((await nadia.get('/console/tasks')).status).toBe(200);
    await agent.post(`/console/team/staff/${created.id}/active`).type('form').send({ _csrf: csrf, active: '0' }).expect(303);
    expect((await nadia.get('/console/tasks')).status).toBe(303);
    expect((await db.staffUser.findUniqueOrThrow({ where: { id: created.id } })).active).toBe(false);
    const me = await db.staffUser.findUniqueOrThrow({ where: { email: emails.coordinator } });
    expect((await agent.post(`/console/team/staff/${me.id}/active`).type('form').send({ _csrf: csrf, active: '0' })).status).toBe(403);
    const phone = uniqueMobile();
    await agent.post('/console/team/couriers').type('form').send({ _csrf: csrf, name: 'Lucie Vélo', phone: phone.replace('+33', '0') }).expect(303);
    expect(await db.courier.findFirstOrThrow({ where: { groupId: g.groupId, phone } })).toMatchObject({ name: 'Lucie Vélo', active: true });
  });
});

describe('order detail and distribution edits', () => {
  it('opens one order with its lines; edits a scheduled distribution', async () => {
    const svc = createOrderService({ db });
    const o = await svc.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'voice', confirm: true, lines: [{ productId: g.products.oeufs, quantity: 2 }] });
    const { agent } = await login('operator');
    const page = await agent.get(`/console/orders/${o.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Panier ${o.basketNumber} — Madame Test`);
    expect(page.text).toContain('téléphone (menu vocal)');
    expect(page.text).toContain('Oeufs (boite de 6)');
    const coord = await login('coordinator');
    const d = await db.distribution.create({ data: { groupId: g.groupId, relayPointId: g.relayId, opensAt: new Date('2027-02-01T19:00:00Z'), closesAt: new Date('2027-02-03T19:00:00Z'), pickupStart: new Date('2027-02-05T15:00:00Z'), pickupEnd: new Date('2027-02-05T18:00:00Z') } });
    const list = await coord.agent.get('/console/distributions');
    expect(list.text).toContain('value="2027-02-05T16:00"');
    await coord.agent.post(`/console/distributions/${d.id}`).type('form').send({ _csrf: coord.csrf, relayPointId: g.relayId, opensAt: '2027-02-01T20:00', closesAt: '2027-02-03T20:00', pickupStart: '2027-02-05T17:00', pickupEnd: '2027-02-05T19:00', deliveryStart: '', deliveryEnd: '' }).expect(303);
    expect((await db.distribution.findUniqueOrThrow({ where: { id: d.id } })).pickupStart.toISOString()).toBe('2027-02-05T16:00:00.000Z');
  });
});
