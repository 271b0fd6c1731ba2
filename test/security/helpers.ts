// An app of its own for each security test file: its own Redis prefix (sessions, login counters,
// the SMS journal), a group, one staff account per role.
import crypto from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, expect, inject } from 'vitest';
import { createApp, type AppDeps } from '../../src/app.js';
import type { StaffRole } from '../../src/console/session.js';
import type { Db } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import { LogCapture, sign, TEST_AUTH_TOKEN } from '../helpers/app.js';
import { createTestGroup, uniqueMobile, type TestGroup } from '../helpers/fixtures.js';

export const PASSWORD = 'correct horse battery';
export const ROLES: StaffRole[] = ['coordinator', 'operator', 'delivery_lead', 'producer', 'platform_admin'];

// plain http: supertest's agent keeps no Secure cookie (an https base would mark them Secure)
export const SECURITY_BASE_URL = 'http://panier.test';

/** A webhook signed for this suite's base URL. */
export const signed = (path: string, params: Record<string, string>) => sign(path, params, TEST_AUTH_TOKEN, SECURITY_BASE_URL);

export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export async function staffOf(db: Db, g: TestGroup): Promise<Record<StaffRole, string>> {
  const passwordHash = await hash(PASSWORD);
  const emails = {} as Record<StaffRole, string>;
  for (const role of ROLES) {
    emails[role] = `${role}-${crypto.randomBytes(3).toString('hex')}@panier.test`;
    await db.staffUser.create({ data: { groupId: g.groupId, role, name: `Staff ${role}`, email: emails[role], passwordHash, phone: role === 'delivery_lead' ? uniqueMobile() : null, producerId: role === 'producer' ? g.producerId : null } });
  }
  return emails;
}

export function securityApp(db: Db, extra: Partial<AppDeps> = {}) {
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  afterAll(() => redis.disconnect());
  const prefix = `sec-${crypto.randomBytes(4).toString('hex')}:`;
  const logs = new LogCapture();
  const app = createApp({
    config: { publicBaseUrl: SECURITY_BASE_URL, twilio: { accountSid: `AC${'0'.repeat(32)}`, authToken: TEST_AUTH_TOKEN, apiBaseUrl: undefined, demoMode: false } },
    db, redis, log: createLogger('debug', logs), redisPrefix: prefix, queuePrefix: `q-${prefix}`, ...extra,
  });
  return { app, redis, prefix, logs };
}

export async function loginAs(app: ReturnType<typeof createApp>, email: string) {
  const agent = request.agent(app);
  const page = await agent.get('/console/login');
  const res = await agent.post('/console/login').type('form').send({ email, password: PASSWORD, _csrf: csrfOf(page.text) });
  expect(res.status).toBe(303);
  const home = await agent.get(res.headers.location as string);
  return { agent, csrf: csrfOf(home.text), home };
}

export { createTestGroup };
