// A resident's rights end to end in demo mode, through real HTTP: texts (answered by the worker,
// their replies read where the Twilio stand-in received them) and a voicemail through /dev/phone, a courier's dispatch through the Twilio stand-in, console views written to the access
// log, the export (JSON and printable), then the erasure — messages and recordings deleted at the
// stand-in (Messages and Recordings DELETE) and here — checked by a query over every text column.
import crypto from 'node:crypto';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TWILIO_ACCOUNT_SID, DEMO_TWILIO_AUTH_TOKEN } from '../src/config.js';
import type { Db } from '../src/platform/db/client.js';
import { createTwilioClient } from '../src/platform/twilio.js';
import type { ResidentExport } from '../src/privacy/export.js';
import { useTestDatabase } from './helpers/db.js';
import { startDemoServer } from './helpers/demoServer.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { waitFor } from './helpers/pipeline.js';

const PASSWORD = 'correct horse battery';
let db: Db;
let url: string;
let g: TestGroup;
let base: string;
let stop: () => Promise<void>;
const emails: Record<string, string> = {};
let courierPhone: string;

beforeAll(async () => {
  ({ db, url } = await useTestDatabase());
  g = await createTestGroup(db);
  const passwordHash = await hash(PASSWORD);
  for (const role of ['coordinator', 'operator', 'producer'] as const) {
    emails[role] = `${role}-${crypto.randomBytes(3).toString('hex')}@panier.test`;
    await db.staffUser.create({ data: { groupId: g.groupId, role, name: `Staff ${role}`, email: emails[role], passwordHash, producerId: role === 'producer' ? g.producerId : null } });
  }
  await db.staffUser.create({ data: { groupId: g.groupId, role: 'delivery_lead', name: 'Marc', phone: uniqueMobile() } });
  courierPhone = uniqueMobile();
  await db.courier.create({ data: { groupId: g.groupId, name: 'Julie', phone: courierPhone } });
  ({ base, stop } = await startDemoServer(db));
});

afterAll(() => stop());

async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as T;
}

/** Texts the service from /dev/phone: the reply the worker sent to the Twilio stand-in. */
async function text(from: string, body: string): Promise<string> {
  const sent = await api<{ state: string; replies: string[] }>('/dev/phone/api/sms', { from, to: g.number, body });
  expect(sent.state, `reply to "${body}"`).toBe('answered');
  return sent.replies[0]!;
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function login(role: string) {
  const agent = request.agent(base);
  const page = await agent.get('/console/login');
  const res = await agent.post('/console/login').type('form').send({ email: emails[role], password: PASSWORD, _csrf: csrfOf(page.text) });
  expect(res.status).toBe(303);
  const home = await agent.get(res.headers.location as string);
  return { agent, csrf: csrfOf(home.text) };
}

/** Every text, varchar, json and array column of every table where one of the needles appears. */
async function whereFound(needles: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
        AND (data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY'))`);
    expect(columns.length).toBeGreaterThan(40);
    const found: string[] = [];
    for (const c of columns) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text ILIKE ANY($1)`, [needles.map((n) => `%${n}%`)]);
      if (Number(rows[0]!.n) > 0) found.push(`${c.table_name}.${c.column_name}`);
    }
    return found;
  } finally {
    await client.end();
  }
}

describe('a resident’s data: seen, exported, erased', () => {
  const resident = uniqueMobile();
  const carer = uniqueMobile();
  const name = `Jeanne Zorglub`;
  const address = '3 chemin des Vignes-Zorglub, 58140 Lormes';
  let customerId: string;
  let basket: number;

  it('the resident texts, orders, asks for delivery and leaves a voicemail; a courier is dispatched', async () => {
    expect(await text(resident, '2 baguettes')).toContain('DONNEES');
    await text(resident, name);
    basket = Number(/panier (\d+)/.exec(await text(resident, 'OUI'))![1]);
    expect(await text(resident, `LIVRAISON ${address}`)).toMatch(/^Livraison demandée/);
    type Screen = { callSid: string; ended: boolean };
    let screen = await api<Screen>('/dev/phone/api/call', { from: resident, to: g.number });
    screen = await api<Screen>('/dev/phone/api/call/answer', { callSid: screen.callSid, input: { digits: '1' } });
    screen = await api<Screen>('/dev/phone/api/call/answer', { callSid: screen.callSid, input: { digits: '4' } });
    await api<Screen>('/dev/phone/api/call/answer', { callSid: screen.callSid, input: { recording: { seconds: 9 } } });
    const c = await db.customer.findFirstOrThrow({ where: { groupId: g.groupId, phone: resident } });
    customerId = c.id;
    expect(c.name).toBe(name);
    await waitFor('voicemail task', () => db.callTask.findFirst({ where: { customerId, recordingSid: { not: null } } }));
    // the lead assigns by SMS: Julie's dispatch carries the address and the phone
    const lead = await db.staffUser.findFirstOrThrow({ where: { groupId: g.groupId, role: 'delivery_lead' } });
    await waitFor('delivery requested', () => db.delivery.findFirst({ where: { order: { customerId } } }));
    expect(await text(lead.phone!, `A ${basket} JULIE`)).toBe(`Panier ${basket} attribué à Julie. SMS envoyé.`);
    await waitFor('dispatch sent to the courier', () => db.message.findFirst({ where: { toPhone: courierPhone, body: { contains: 'Vignes-Zorglub' }, twilioSid: { not: null } } }));
  });

  it('the switchboard adds a carer only with a reason; each view of the resident is in the access log', async () => {
    const { agent, csrf } = await login('operator');
    const form = { _csrf: csrf, name, phone: resident, lineType: 'mobile', address, preferredChannel: 'sms', secondaryContactName: 'Paul Zorglub', secondaryContactPhone: carer, secondaryContactReason: 'demandé par Mme Zorglub au téléphone' };
    expect((await agent.post(`/console/customers/${customerId}`).type('form').send({ ...form, secondaryContactReason: '' })).status).toBe(400);
    expect((await agent.post(`/console/customers/${customerId}`).type('form').send(form)).status).toBe(303);
    expect((await agent.get(`/console/customers/${customerId}`)).text).toContain('Paul Zorglub');
    expect((await agent.get('/console/customers?q=Zorglub')).text).toContain('Vignes-Zorglub');
    expect((await agent.get('/console/tasks')).text).toContain(name);
    const task = await db.callTask.findFirstOrThrow({ where: { customerId, recordingSid: { not: null } } });
    expect((await agent.get(`/console/tasks/${task.id}/recording`)).status).toBe(200);
    expect((await agent.get('/console/deliveries')).text).toContain('Vignes-Zorglub');
    const pages = (await db.accessLogEntry.findMany({ where: { customerId } })).map((e) => e.page);
    expect(new Set(pages)).toEqual(new Set(['customer', 'customers', 'tasks', 'recording', 'deliveries']));
    // the operator may note a request made by phone, but neither export nor erase, nor read the log
    expect((await agent.post(`/console/customers/${customerId}/demande`).type('form').send({ _csrf: csrf, note: 'veut une copie' })).status).toBe(303);
    expect((await agent.get(`/console/customers/${customerId}/donnees`)).status).toBe(403);
    expect((await agent.get('/console/rgpd/acces')).status).toBe(403);
    expect((await agent.post(`/console/customers/${customerId}/effacer`).type('form').send({ _csrf: csrf, confirm: 'EFFACER' })).status).toBe(403);
  });

  it('a producer sees no resident data and no RGPD page', async () => {
    const { agent } = await login('producer');
    for (const path of [`/console/customers/${customerId}`, `/console/customers/${customerId}/donnees`, '/console/rgpd', '/console/rgpd/acces', '/console/deliveries', '/console/tasks']) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(403);
      expect(res.text).not.toContain('Zorglub');
    }
    const prep = await agent.get('/console/sheets/preparation');
    expect(prep.text).not.toContain('Zorglub');
    expect(prep.text).not.toContain(resident.slice(4));
  });

  it('the coordinator exports everything: orders, messages, recordings’ dates, carer, who saw it', async () => {
    const { agent } = await login('coordinator');
    const json = await agent.get(`/console/customers/${customerId}/donnees?format=json`);
    expect(json.status).toBe(200);
    const data = json.body as ResidentExport;
    expect(data.resident).toMatchObject({ name, phone: resident, address });
    expect(data.carer).toMatchObject({ name: 'Paul Zorglub', phone: carer, reason: 'demandé par Mme Zorglub au téléphone', addedBy: 'Staff operator' });
    expect(data.orders).toHaveLength(1);
    expect(data.orders[0]).toMatchObject({ basketNumber: basket, delivery: { address, courier: 'Julie' } });
    expect(data.messages.some((m) => m.direction === 'inbound' && m.body === '2 baguettes')).toBe(true);
    expect(data.messages.some((m) => m.direction === 'outbound' && m.body.startsWith('Vous commandez'))).toBe(true);
    expect(data.recordings).toEqual([expect.objectContaining({ seconds: 9, deleted: false })]);
    expect(data.accesses.map((a) => a.page)).toEqual(expect.arrayContaining(['customer', 'recording', 'deliveries']));
    expect(data.accesses).toContainEqual(expect.objectContaining({ staff: 'Staff operator', role: 'operator', page: 'recording' }));
    const page = await agent.get(`/console/customers/${customerId}/donnees`);
    expect(page.text).toContain('Vos commandes');
    expect(page.text).toContain('Qui a consulté vos données');
    expect(page.text).toContain('Vignes-Zorglub');
    const log = await agent.get(`/console/rgpd/acces?customerId=${customerId}`);
    expect(log.text).toContain('Enregistrement écouté');
    expect(log.text).toContain('Export de ses données');
    const rgpd = await agent.get('/console/rgpd');
    expect(rgpd.text).toContain(name);
    expect(rgpd.text).toContain('veut une copie');
  });

  it('the coordinator sets the durations and the number; the printed catalogue sheet carries the full notice', async () => {
    const { agent, csrf } = await login('coordinator');
    const form = { _csrf: csrf, recordingRetentionDays: '15', messageRetentionMonths: '3', inactiveResidentMonths: '18', inactivityWarningDays: '20', auditRetentionMonths: '36', accessLogRetentionMonths: '12', infoPhone: '03 86 22 01 01' };
    expect((await agent.post('/console/rgpd').type('form').send({ ...form, recordingRetentionDays: '0' })).status).toBe(303);
    expect((await db.privacySettings.findUnique({ where: { groupId: g.groupId } }))?.recordingRetentionDays ?? 30).toBe(30);
    expect((await agent.post('/console/rgpd').type('form').send(form)).status).toBe(303);
    expect(await db.privacySettings.findUniqueOrThrow({ where: { groupId: g.groupId } })).toMatchObject({ recordingRetentionDays: 15, messageRetentionMonths: 3, inactiveResidentMonths: 18, infoPhone: '+33386220101' });
    expect(await db.auditEvent.findFirst({ where: { groupId: g.groupId, action: 'privacy.settings' } })).not.toBeNull();
    const sheet = await agent.get('/console/sheets/catalogue');
    expect(sheet.text).toContain('Vos données personnelles.');
    expect(sheet.text).toContain('enregistrements vocaux 15 jours après leur traitement, messages 3 mois, fiche effacée après 18 mois sans commande');
    expect(sheet.text).toContain('Envoyez DONNEES par SMS ou appelez le 03 86 22 01 01');
    const operator = await login('operator');
    expect((await operator.agent.post('/console/rgpd').type('form').send({ ...form, _csrf: operator.csrf })).status).toBe(403);
  });

  it('erasure leaves no personal field behind, deletes at Twilio, and keeps the order anonymised', async () => {
    const needles = [resident, resident.slice(1), `0${resident.slice(3)}`, 'Zorglub', 'chemin des Vignes', carer, carer.slice(1)];
    expect((await whereFound(needles)).length).toBeGreaterThan(5);
    const sids = [
      ...(await db.message.findMany({ where: { OR: [{ customerId }, { fromPhone: resident }, { toPhone: resident }, { toPhone: courierPhone, order: { customerId } }], twilioSid: { not: null } }, select: { twilioSid: true } })).map((m) => m.twilioSid!),
      ...(await db.callTask.findMany({ where: { customerId, recordingSid: { not: null } }, select: { recordingSid: true } })).map((t) => t.recordingSid!),
    ];
    expect(sids.some((s) => s.startsWith('RE'))).toBe(true);
    expect(sids.filter((s) => s.startsWith('SM')).length).toBeGreaterThan(3);
    // the replies left through Twilio too: their SIDs are to be deleted there like the notices'
    const replies = await db.message.findMany({ where: { toPhone: resident, kind: 'reply' }, select: { twilioSid: true } });
    expect(replies).toHaveLength(4);
    expect(replies.every((r) => r.twilioSid && sids.includes(r.twilioSid))).toBe(true);

    const { agent, csrf } = await login('coordinator');
    const refused = await agent.post(`/console/customers/${customerId}/effacer`).type('form').send({ _csrf: csrf, confirm: 'oui' });
    expect(refused.status).toBe(303);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customerId } })).name).toBe(name);
    // not while an order is under way
    const underWay = await agent.post(`/console/customers/${customerId}/effacer`).type('form').send({ _csrf: csrf, confirm: 'EFFACER' });
    expect(underWay.status).toBe(303);
    expect((await agent.get(`/console/customers/${customerId}`)).text).toContain(`une commande est en cours (panier ${basket})`);
    expect((await db.customer.findUniqueOrThrow({ where: { id: customerId } })).name).toBe(name);
    await db.order.updateMany({ where: { customerId }, data: { status: 'delivered' } });
    const erased = await agent.post(`/console/customers/${customerId}/effacer`).type('form').send({ _csrf: csrf, confirm: 'EFFACER' });
    expect(erased.status).toBe(303);
    expect((await agent.get('/console/rgpd')).text).toContain('Habitant effacé');

    // nothing personal left in any text column of any table
    expect(await whereFound(needles)).toEqual([]);
    // every SID deleted at the stand-in, which now answers 404 for them
    const deletions = await db.twilioDeletion.findMany({ where: { sid: { in: sids } } });
    expect(deletions.map((d) => d.sid).sort()).toEqual([...new Set(sids)].sort());
    for (const d of deletions) expect(d).toMatchObject({ reason: 'erasure', lastError: null, attempts: 1 });
    expect(deletions.every((d) => d.doneAt)).toBe(true);
    const client = createTwilioClient(DEMO_TWILIO_ACCOUNT_SID, DEMO_TWILIO_AUTH_TOKEN, `${base}/dev/twilio`);
    const recording = sids.find((s) => s.startsWith('RE'))!;
    await expect(client.recordings(recording).remove()).rejects.toMatchObject({ status: 404, code: 20404 });
    await expect(client.messages(sids.find((s) => s.startsWith('SM'))!).remove()).rejects.toMatchObject({ status: 404 });

    // the order stays for the accounts, with the person anonymised
    const order = await db.order.findFirstOrThrow({ where: { customerId }, include: { lines: true, delivery: true } });
    expect(order).toMatchObject({ basketNumber: basket, status: 'delivered', estimatedCents: 240 });
    expect(order.lines[0]!.productName).toBe('Baguette tradition');
    expect(order.delivery!.address).toBe('');
    const audit = await db.auditEvent.findFirstOrThrow({ where: { entityId: customerId, action: 'privacy.erased' } });
    expect(audit.data).toMatchObject({ recordings: 1 });
    // the same number writing again is a new, unknown resident
    expect(await text(resident, 'AIDE')).toContain('DONNEES');
    expect(await db.customer.count({ where: { groupId: g.groupId, phone: resident } })).toBe(1);
  });
});
