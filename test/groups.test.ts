// Several villages on one deployment: the platform admin creates a group and its first
// coordinator, edits each group's numbers and settings; a coordinator edits their own group only;
// the platform admin never sees a resident's data.
import crypto from 'node:crypto';
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../scripts/cli.js';
import type { StaffRole } from '../src/console/session.js';
import type { Db } from '../src/platform/db/client.js';
import { useTestDatabase } from './helpers/db.js';
import { uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { createTestGroup, csrfOf, loginAs, PASSWORD, securityApp, staffOf } from './security/helpers.js';

let db: Db;
let a: TestGroup;
let b: TestGroup;
let emailsA: Record<StaffRole, string>;
let app: Express;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  a = await createTestGroup(db);
  b = await createTestGroup(db);
  emailsA = await staffOf(db, a);
  await staffOf(db, b);
  ({ app } = securityApp(db, { anonymousPerMinute: 100_000 }));
});

const tag = () => crypto.randomBytes(3).toString('hex');

describe('platform admin', () => {
  it('creates a group with its number and first coordinator, who logs in and sees only that group', async () => {
    const { agent, csrf, home } = await loginAs(app, emailsA.platform_admin);
    expect(home.status).toBe(200);
    expect(home.text).toContain('Nouveau groupe');
    const slug = `village-${tag()}`;
    const number = uniqueMobile();
    const email = `coord-${tag()}@panier.test`;
    const created = await agent.post('/console/groups').type('form').send({
      _csrf: csrf, slug, name: 'Village <b>neuf</b>', timeZone: 'America/Martinique', numbers: number,
      coordinatorName: 'Nina Coordination', coordinatorEmail: email, coordinatorPassword: PASSWORD,
    });
    expect(created.status).toBe(303);
    const group = await db.group.findUniqueOrThrow({ where: { slug }, include: { numbers: true, staff: true } });
    expect(group).toMatchObject({ name: 'Village <b>neuf</b>', timeZone: 'America/Martinique' });
    expect(group.numbers.map((n) => n.phone)).toEqual([number]);
    expect(group.staff.map((s) => [s.role, s.email])).toEqual([['coordinator', email]]);
    const audit = await db.auditEvent.findMany({ where: { groupId: group.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['group.created', 'staff.added']);
    // the list shows it, escaped
    const list = await agent.get('/console/groups');
    expect(list.text).toContain('Village &lt;b&gt;neuf&lt;/b&gt;');

    // the new coordinator: their group only
    const coord = await loginAs(app, email);
    const settings = await coord.agent.get('/console/settings');
    expect(settings.status).toBe(200);
    expect(settings.text).toContain('America/Martinique');
    expect((await coord.agent.get('/console/team')).text).not.toContain('Staff coordinator');
    expect((await coord.agent.get('/console/customers')).text).not.toContain('Madame Test');
    expect((await coord.agent.get('/console/groups')).status).toBe(403);
    expect((await coord.agent.get(`/console/groups/${a.groupId}`)).status).toBe(403);

    // a duplicate slug or number: a French answer, nothing created
    const again = await agent.post('/console/groups').type('form').send({
      _csrf: csrf, slug, name: 'Autre', timeZone: 'Europe/Paris', numbers: uniqueMobile(), coordinatorName: 'X', coordinatorEmail: `x-${tag()}@panier.test`, coordinatorPassword: PASSWORD,
    });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Un groupe a déjà cet identifiant.');
    const taken = await agent.post('/console/groups').type('form').send({
      _csrf: csrf, slug: `autre-${tag()}`, name: 'Autre', timeZone: 'Europe/Paris', numbers: number, coordinatorName: 'X', coordinatorEmail: `x-${tag()}@panier.test`, coordinatorPassword: PASSWORD,
    });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('Ce numéro Twilio appartient déjà à un groupe.');
  });

  it('is created by the CLI (staff add --role platform_admin) and lands on the groups page', async () => {
    const group = await db.group.findUniqueOrThrow({ where: { id: a.groupId } });
    const email = `admin-${tag()}@panier.test`;
    const out: string[] = [];
    const code = await runCli(['staff', 'add', '--group', group.slug, '--role', 'platform_admin', '--name', 'Alex', '--email', email, '--password', PASSWORD], {
      db, io: { out: (l) => void out.push(l), err: (l) => void out.push(l), write: () => undefined, writeErr: () => undefined },
    });
    expect([code, out.join('\n')]).toEqual([0, 'platform_admin Alex added']);
    const { home } = await loginAs(app, email);
    expect(home.text).toContain('<h1>Groupes</h1>');
  });

  it('refuses a wrong time zone when creating a group, in French', async () => {
    const { agent, csrf } = await loginAs(app, emailsA.platform_admin);
    const slug = `tz-${tag()}`;
    const res = await agent.post('/console/groups').type('form').send({
      _csrf: csrf, slug, name: 'Fuseau', timeZone: 'Europe/Lormes', numbers: uniqueMobile(), coordinatorName: 'X', coordinatorEmail: `x-${tag()}@panier.test`, coordinatorPassword: PASSWORD,
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Fuseau horaire inconnu');
    expect(await db.group.count({ where: { slug } })).toBe(0);
  });

  it('edits any group’s numbers, sender identity, operator hours and time zone', async () => {
    const { agent, csrf } = await loginAs(app, emailsA.platform_admin);
    const page = await agent.get(`/console/groups/${b.groupId}`);
    expect(page.status).toBe(200);
    const saved = await agent.post(`/console/groups/${b.groupId}/settings`).type('form').send({
      _csrf: csrf, smsSenderKind: 'alphanumeric', smsSender: 'PANIER', operatorHours: '1-5 09:00-12:00\n2,4 14h00-17h00', timeZone: 'Europe/Brussels',
    });
    expect(saved.status).toBe(303);
    expect(await db.group.findUniqueOrThrow({ where: { id: b.groupId } })).toMatchObject({
      smsSenderKind: 'alphanumeric', smsSender: 'PANIER', timeZone: 'Europe/Brussels',
      operatorHours: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '12:00' }, { days: [2, 4], from: '14:00', to: '17:00' }],
    });
    expect((await agent.get(`/console/groups/${b.groupId}`)).text).toContain('1,2,3,4,5 09:00-12:00');
    const n1 = uniqueMobile();
    const n2 = uniqueMobile();
    expect((await agent.post(`/console/groups/${b.groupId}/numbers`).type('form').send({ _csrf: csrf, numbers: `${n1}\n${n2}` })).status).toBe(303);
    expect((await db.groupNumber.findMany({ where: { groupId: b.groupId } })).map((n) => n.phone).sort()).toEqual([n1, n2].sort());
    // a group keeps at least one number
    const none = await agent.post(`/console/groups/${b.groupId}/numbers`).type('form').send({ _csrf: csrf, numbers: '' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('au moins un');
    expect(await db.groupNumber.count({ where: { groupId: b.groupId } })).toBe(2);
    // an unknown group: not found
    expect((await agent.get(`/console/groups/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('sees no resident’s data: 403 on customers, orders, tasks, deliveries and exports', async () => {
    const { agent } = await loginAs(app, emailsA.platform_admin);
    for (const path of ['/console/customers', `/console/customers/${a.customerId}`, '/console/orders', '/console/tasks', '/console/deliveries', '/console/exports/orders.csv', '/console/rgpd', '/console/team', '/console/settings']) {
      expect([path, (await agent.get(path)).status]).toEqual([path, 403]);
    }
  });

  it('every other role gets 403 on the admin pages', async () => {
    for (const role of ['coordinator', 'operator', 'delivery_lead', 'producer'] as const) {
      const { agent, csrf } = await loginAs(app, emailsA[role]);
      expect([role, (await agent.get('/console/groups')).status]).toEqual([role, 403]);
      expect([role, (await agent.get(`/console/groups/${a.groupId}`)).status]).toEqual([role, 403]);
      const post = await agent.post('/console/groups').type('form').send({ _csrf: csrf, slug: `no-${tag()}`, name: 'Non', timeZone: 'Europe/Paris', numbers: uniqueMobile(), coordinatorName: 'X', coordinatorEmail: `x-${tag()}@panier.test`, coordinatorPassword: PASSWORD });
      expect([role, post.status]).toEqual([role, 403]);
      const settings = await agent.post(`/console/groups/${b.groupId}/settings`).type('form').send({ _csrf: csrf, smsSenderKind: 'phone_number', smsSender: '', operatorHours: '', timeZone: 'Asia/Tokyo' });
      expect([role, settings.status]).toEqual([role, 403]);
    }
    expect((await db.group.findUniqueOrThrow({ where: { id: b.groupId } })).timeZone).not.toBe('Asia/Tokyo');
  });
});

describe('a coordinator’s group settings', () => {
  it('edits their own group, never another (the session’s group, not an id)', async () => {
    const { agent, csrf } = await loginAs(app, emailsA.coordinator);
    const page = await agent.get('/console/settings');
    expect(page.status).toBe(200);
    expect(csrfOf(page.text)).toBeTruthy();
    const res = await agent.post('/console/settings').type('form').send({ _csrf: csrf, smsSenderKind: 'phone_number', smsSender: '', operatorHours: '6 10:00-12:00', timeZone: 'Europe/Paris', groupId: b.groupId });
    expect(res.status).toBe(303);
    expect((await db.group.findUniqueOrThrow({ where: { id: a.groupId } })).operatorHours).toEqual([{ days: [6], from: '10:00', to: '12:00' }]);
    expect((await db.group.findUniqueOrThrow({ where: { id: b.groupId } })).operatorHours).not.toEqual([{ days: [6], from: '10:00', to: '12:00' }]);
    expect((await agent.get(`/console/groups/${b.groupId}`)).status).toBe(403);
    expect((await agent.post(`/console/groups/${b.groupId}/settings`).type('form').send({ _csrf: csrf, smsSenderKind: 'phone_number', operatorHours: '', timeZone: 'Europe/Paris' })).status).toBe(403);
    const audit = await db.auditEvent.findFirst({ where: { groupId: a.groupId, action: 'group.settings_changed' } });
    expect(audit).not.toBeNull();
  });

  it('answers a wrong time zone, operator hours or sender with a French 400, nothing saved', async () => {
    const { agent, csrf } = await loginAs(app, emailsA.coordinator);
    const before = await db.group.findUniqueOrThrow({ where: { id: a.groupId } });
    const cases: [Record<string, string>, string][] = [
      [{ smsSenderKind: 'phone_number', operatorHours: '', timeZone: 'Mars/Olympus' }, 'Fuseau horaire inconnu'],
      [{ smsSenderKind: 'phone_number', operatorHours: 'lundi matin', timeZone: 'Europe/Paris' }, 'Horaires du standard illisibles'],
      [{ smsSenderKind: 'phone_number', operatorHours: '1-5 12:00-09:00', timeZone: 'Europe/Paris' }, 'Horaires du standard illisibles'],
      [{ smsSenderKind: 'phone_number', operatorHours: '8 09:00-12:00', timeZone: 'Europe/Paris' }, 'Horaires du standard illisibles'],
      [{ smsSenderKind: 'phone_number', operatorHours: '1 25:00-26:00', timeZone: 'Europe/Paris' }, 'Horaires du standard illisibles'],
      [{ smsSenderKind: 'alphanumeric', smsSender: 'BEAUCOUP TROP LONG', operatorHours: '', timeZone: 'Europe/Paris' }, '1 à 11 lettres'],
      [{ smsSenderKind: 'messaging_service', smsSender: 'MG123', operatorHours: '', timeZone: 'Europe/Paris' }, 'Messaging Service'],
    ];
    for (const [form, french] of cases) {
      const res = await agent.post('/console/settings').type('form').send({ _csrf: csrf, ...form });
      expect([form, res.status]).toEqual([form, 400]);
      expect(res.text).toContain(french);
    }
    const after = await db.group.findUniqueOrThrow({ where: { id: a.groupId } });
    expect(after).toEqual(before);
  });
});
