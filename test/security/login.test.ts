// The console's front door: what anonymous visitors leave behind, and login throttling that an
// attacker cannot dodge by rotating X-Forwarded-For, while staff behind the same address get in.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/platform/db/client.js';
import { useTestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/pipeline.js';
import { createTestGroup, csrfOf, PASSWORD, securityApp, staffOf } from './helpers.js';

let db: Db;
let emails: Awaited<ReturnType<typeof staffOf>>;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  emails = await staffOf(db, await createTestGroup(db));
});

async function keysUnder(redis: import('ioredis').Redis, pattern: string): Promise<string[]> {
  return redis.keys(pattern);
}

describe('anonymous visitors', () => {
  it('store no session: 50 visits of the login page and of protected pages leave no key', async () => {
    const { app, redis, prefix } = securityApp(db);
    for (let i = 0; i < 25; i++) {
      expect((await request(app).get('/console/login')).status).toBe(200);
      expect((await request(app).get('/console/tasks')).status).toBe(303);
    }
    expect(await keysUnder(redis, `${prefix}sess:*`)).toEqual([]);
    // the login form still works: its CSRF token comes with a cookie, not a stored session
    const agent = request.agent(app);
    const page = await agent.get('/console/login');
    expect(String(page.headers['set-cookie'])).toContain('panier.login=');
    expect(String(page.headers['set-cookie'])).not.toContain('panier.sid=');
    const res = await agent.post('/console/login').type('form').send({ email: emails.operator, password: PASSWORD, _csrf: csrfOf(page.text) });
    expect(res.status).toBe(303);
    expect(await keysUnder(redis, `${prefix}sess:*`)).toHaveLength(1);
  });

  it('cannot post the login form without its token, or with another browser’s', async () => {
    const { app } = securityApp(db);
    const mine = request.agent(app);
    const theirs = request.agent(app);
    await mine.get('/console/login');
    const theirToken = csrfOf((await theirs.get('/console/login')).text);
    expect((await mine.post('/console/login').type('form').send({ email: emails.operator, password: PASSWORD })).status).toBe(403);
    expect((await mine.post('/console/login').type('form').send({ email: emails.operator, password: PASSWORD, _csrf: theirToken })).status).toBe(403);
    expect((await request(app).post('/console/login').type('form').send({ email: emails.operator, password: PASSWORD, _csrf: theirToken })).status).toBe(403);
  });

  it('are rate-limited on every console route (60 a minute per address)', async () => {
    const { app } = securityApp(db);
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++) statuses.push((await request(app).get('/console/orders')).status);
    expect(statuses.slice(0, 60).every((s) => s === 303)).toBe(true);
    expect(statuses.slice(60)).toEqual([429, 429]);
  });
});

describe('login throttling', () => {
  it('ignores X-Forwarded-For by default: rotating it from loopback does not reset the count', async () => {
    const { app } = securityApp(db);
    const agent = request.agent(app);
    const token = csrfOf((await agent.get('/console/login')).text);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await agent.post('/console/login').set('X-Forwarded-For', `10.0.${i}.${i + 1}`).type('form').send({ email: `nobody-${i}@panier.test`, password: 'guess', _csrf: token })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('an attacked account: its owner gets in after a short wait; a colleague behind the same address at once', async () => {
    const { app } = securityApp(db, { loginThrottle: { accountSlotMs: 400 } });
    const agent = request.agent(app);
    const token = csrfOf((await agent.get('/console/login')).text);
    const post = (email: string, password: string) => agent.post('/console/login').type('form').send({ email, password, _csrf: token });
    for (let i = 0; i < 5; i++) expect((await post(emails.coordinator, `wrong-${i}`)).status).toBe(401);
    const refused = await post(emails.coordinator, PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.text).toContain('Réessayez dans');
    // the address is not locked by one account's failures
    expect((await request.agent(app).get('/console/login').then(async (p) => request(app).post('/console/login').set('Cookie', p.headers['set-cookie']!).type('form').send({ email: emails.operator, password: PASSWORD, _csrf: csrfOf(p.text) }))).status).toBe(303);
    // the owner, a moment later, with the right password: in (never locked out for good)
    await waitFor('the account’s wait to pass', async () => (await post(emails.coordinator, PASSWORD)).status === 303, 10_000);
  });

  it('a busy address (password spraying): one try per wait, and a correct password then works', async () => {
    const { app } = securityApp(db, { loginThrottle: { addressSlotMs: 400 } });
    const agent = request.agent(app);
    const token = csrfOf((await agent.get('/console/login')).text);
    const post = (email: string, password: string) => agent.post('/console/login').type('form').send({ email, password, _csrf: token });
    for (let i = 0; i < 10; i++) expect((await post(`sprayed-${i}@panier.test`, 'Azerty123')).status).toBe(401);
    expect((await post(emails.delivery_lead, PASSWORD)).status).toBe(429);
    await waitFor('the address’s wait to pass', async () => (await post(emails.delivery_lead, PASSWORD)).status === 303, 10_000);
  });

  it('answers an unknown email as a wrong password, after the same argon2 work', async () => {
    const { app, logs } = securityApp(db);
    const agent = request.agent(app);
    const token = csrfOf((await agent.get('/console/login')).text);
    const unknown = await agent.post('/console/login').type('form').send({ email: 'nobody@panier.test', password: 'x', _csrf: token });
    const known = await agent.post('/console/login').type('form').send({ email: emails.producer, password: 'x', _csrf: token });
    expect(unknown.status).toBe(401);
    expect(known.status).toBe(401);
    expect(unknown.text.replace(/value="[^"]*"/g, '')).toBe(known.text.replace(/value="[^"]*"/g, ''));
    expect(logs.text()).not.toContain('nobody@panier.test');
  });
});

describe('sessions', () => {
  it('end 12 hours after login however active they are', async () => {
    const { app, redis, prefix } = securityApp(db);
    const agent = request.agent(app);
    const page = await agent.get('/console/login');
    await agent.post('/console/login').type('form').send({ email: emails.operator, password: PASSWORD, _csrf: csrfOf(page.text) }).expect(303);
    expect((await agent.get('/console/tasks')).status).toBe(200);
    const [key] = await redis.keys(`${prefix}sess:*`);
    const ttl = await redis.pttl(key!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(8 * 3600_000);
    const stored = JSON.parse((await redis.get(key!))!) as { loggedInAt: number };
    stored.loggedInAt = Date.now() - 13 * 3600_000;
    await redis.set(key!, JSON.stringify(stored), 'PX', ttl);
    const res = await agent.get('/console/tasks');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/console/login');
  });
});
