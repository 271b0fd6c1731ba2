// The call's state in Redis: replays, concurrent duplicates, a lost state, Redis down, the summary
// at the call's end, and what a keypress costs the database (counted, not timed).
import type { Express } from 'express';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderService } from '../src/orders/orderService.js';
import { poolOf, type Db } from '../src/platform/db/client.js';
import { buildTestApp, TEST_PUBLIC_URL, type LogCapture } from './helpers/app.js';
import { SimulatedCall } from './helpers/call.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';

let db: Db;
let app: Express;
let redis: Redis;
let redisPrefix: string;
let g: TestGroup;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  ({ app, redis, redisPrefix } = buildTestApp(db));
  g = await createTestGroup(db);
});

const call = (from = uniqueMobile(), on = app) => new SimulatedCall(on, from, g.number);
const MAIN_MENU = 'Pour commander, tapez 1. Pour suivre votre commande, tapez 2. Pour une livraison, tapez 3. Pour parler à quelqu’un, tapez 0.';

/** Every SQL statement the app's pool sends (BEGIN and COMMIT included), from the moment it is made. */
function countStatements(database: Db) {
  const pool = poolOf(database)!;
  const counted = new WeakSet<pg.PoolClient>();
  let n = 0;
  pool.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      n += 1;
      return query(...args);
    };
  });
  return { since: (from: number) => n - from, get now() { return n; } };
}

async function customerWithUsualBasket() {
  const phone = uniqueMobile();
  const customer = await db.customer.create({ data: { groupId: g.groupId, phone, name: 'Madame Martin' } });
  const orders = createOrderService({ db });
  const previous = await orders.placeOrder({ groupId: g.groupId, customerId: customer.id, distributionId: g.distributionId, channel: 'voice', confirm: true, lines: [{ productId: g.products.baguette, quantity: 2 }] });
  await db.order.update({ where: { id: previous.id }, data: { status: 'collected' } });
  return { phone, customer };
}

describe('a call’s state in Redis', () => {
  it('serves a plain keypress without a single SQL statement, and writes no webhook receipt', async () => {
    const statements = countStatements(db);
    const c = call();
    const before = statements.now;
    await c.start();
    // the call's start reads the caller and writes the call's row: a handful, in one transaction
    expect(statements.since(before)).toBeGreaterThan(0);
    const afterStart = statements.now;
    await c.press('2');
    expect(c.said()[0]).toBe('Vous n’avez pas de commande en cours.');
    await c.press('*');
    await c.press('7');
    expect(c.said()[0]).toBe('Ce choix n’existe pas.');
    await c.silence();
    expect(c.said()[0]).toBe('Je n’ai pas entendu de réponse.');
    expect(statements.since(afterStart)).toBe(0);
    expect(await db.webhookReceipt.count({ where: { key: { startsWith: `voice:${c.callSid}` } } })).toBe(0);
  });

  it('answers a replayed step with the same TwiML and moves the menu once', async () => {
    const c = call();
    await c.start();
    const url = c.gatherUrl;
    const first = await c.post(url, { Digits: '1' });
    expect(c.said()[0]).toContain('Pour les numéros du catalogue, tapez 2.');
    // Twilio sends the same request again: same answer, and the menu is not moved twice
    expect(await c.post(url, { Digits: '1' })).toBe(first);
    await c.press('2');
    expect(c.said().join(' ')).toBe('Tapez le numéro du produit, puis dièse.');
    // an older step is answered from its receipt; a step this call never asked: back to the current question
    expect(await c.post(url.replace(/seq=\d+/, 'seq=0'), {})).toContain('Bienvenue au Panier de Test.');
    await c.post(url.replace(/seq=\d+/, 'seq=9'), { Digits: '2' });
    expect(c.twiml).toMatch(/<Redirect method="POST">[^<]+seq=3&amp;timeout=1<\/Redirect>/);
  });

  it('places one order when the confirmation arrives twice at once', async () => {
    const { phone, customer } = await customerWithUsualBasket();
    const c = call(phone);
    await c.start();
    await c.press('1');
    await c.press('1');
    const url = c.gatherUrl;
    const answers = await Promise.all([c.post(url, { Digits: '1' }), c.post(url, { Digits: '1' }), c.post(url, { Digits: '1' })]);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/Commande confirmée, panier \d+\./);
    expect(await db.order.count({ where: { customerId: customer.id, status: 'confirmed' } })).toBe(1);
  });

  it('says so politely and starts the menu again when the call’s state is lost mid-call', async () => {
    const c = call();
    await c.start();
    await c.press('1');
    await redis.del(`${redisPrefix}call:${c.callSid}`);
    await c.press('2');
    expect(c.said()).toEqual(['Excusez-nous, nous avons perdu le fil de votre appel. Reprenons depuis le début.', MAIN_MENU]);
    // the call goes on from there, on the same row
    await c.press('2');
    expect(c.said()[0]).toBe('Vous n’avez pas de commande en cours.');
    expect(await db.callSession.count({ where: { callSid: c.callSid } })).toBe(1);
    // damaged state reads as lost too, never a 500
    await redis.hset(`${redisPrefix}call:${c.callSid}`, 'call', '{"not":"a call"}');
    await c.press('*');
    expect(c.said()[0]).toBe('Excusez-nous, nous avons perdu le fil de votre appel. Reprenons depuis le début.');
  });

  it('apologises and hangs up when Redis is down, and logs why', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => {});
    afterAll(() => down.disconnect());
    const built = buildTestApp(db, { redis: down });
    const c = call(uniqueMobile(), built.app);
    await c.start();
    expect(c.said()).toEqual(['Excusez-nous, un problème technique nous empêche de vous répondre. Merci de rappeler un peu plus tard, ou d’appeler la mairie. Au revoir.']);
    expect(c.ended).toBe(true);
    expect(errorsOf(built.logs)).toContain('voice step failed: apology said');
    // a call's end reported while Redis is down: its summary all the same, without the path
    const started = call();
    await started.start();
    await new SimulatedCall(built.app, started.from, g.number, started.callSid).hangUp('completed', 20);
    expect(await db.callSession.findUniqueOrThrow({ where: { callSid: started.callSid } })).toMatchObject({ outcome: 'unknown', durationSeconds: 20, path: [] });
  });

  it('writes the call’s summary once, at its end: outcome, path and duration', async () => {
    const { phone, customer } = await customerWithUsualBasket();
    const c = call(phone);
    await c.start();
    await c.press('7');
    await c.press('1');
    await c.press('1');
    await c.press('1');
    expect(c.ended).toBe(true);
    // nothing is summarised before Twilio says the call is over
    expect(await db.callSession.findUniqueOrThrow({ where: { callSid: c.callSid } })).toMatchObject({ endedAt: null, outcome: null, path: [] });
    await c.hangUp('completed', 47);
    const summary = await db.callSession.findUniqueOrThrow({ where: { callSid: c.callSid } });
    expect(summary).toMatchObject({ outcome: 'order_placed', durationSeconds: 47, path: ['main', 'main', 'order_menu', 'reorder_confirm', 'done'], state: 'done', step: 5, customerId: customer.id });
    expect(summary.endedAt).toBeInstanceOf(Date);
    // the state is dropped; a second delivery of the callback changes nothing
    expect(await redis.exists(`${redisPrefix}call:${c.callSid}`)).toBe(0);
    await c.hangUp('completed', 99);
    expect(await db.callSession.findUniqueOrThrow({ where: { callSid: c.callSid } })).toEqual(summary);
    // a step Twilio still sends after that ends the call
    await c.post(`${TEST_PUBLIC_URL}/twilio/voice/step?seq=5`, { Digits: '1' });
    expect(c.said()).toEqual(['Merci de votre appel. Au revoir.']);
  });

  it('tells a caller who hung up mid-menu from one who left a message', async () => {
    const left = call();
    await left.start();
    await left.press('1');
    await left.hangUp('completed', 12);
    expect(await db.callSession.findUniqueOrThrow({ where: { callSid: left.callSid } })).toMatchObject({ outcome: 'hung_up', path: ['main', 'order_menu'], durationSeconds: 12 });

    const message = call();
    await message.start();
    await message.press('1');
    await message.press('4');
    await message.record(30);
    await message.hangUp();
    const row = await db.callSession.findUniqueOrThrow({ where: { callSid: message.callSid }, include: { tasks: true } });
    expect(row).toMatchObject({ outcome: 'task:order_to_enter', path: ['main', 'order_menu', 'record_order', 'done'] });
    expect(row.tasks.map((t) => t.kind)).toEqual(['order_to_enter']);
  });
});

function errorsOf(logs: LogCapture): string[] {
  return logs.lines.filter((l) => (l.level as number) >= 50).map((l) => String(l.msg));
}
