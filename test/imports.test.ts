// A coordinator's real files through the console and the CLI: Excel's Windows-1252 CSV and .xlsx
// catalogues, the template, the mairie's list of residents (a known phone updated, never doubled),
// relay names without accents, overlapping order windows.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { hash } from '@node-rs/argon2';
import iconv from 'iconv-lite';
import request from 'supertest';
import writeExcelFile from 'write-excel-file/node';
import { findRelayPoint, overlappingOrderWindows } from '../src/catalog/relays.js';
import type { Db } from '../src/platform/db/client.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createLogger } from '../src/platform/logger.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';

const PASSWORD = 'correct horse battery';
let db: Db;
let url: string;
let g: TestGroup;
let app: ReturnType<typeof createApp>;
let email: string;
const run = promisify(execFile);

beforeAll(async () => {
  ({ db, url } = await useTestDatabase());
  g = await createTestGroup(db);
  email = `coord-${crypto.randomBytes(3).toString('hex')}@panier.test`;
  await db.staffUser.create({ data: { groupId: g.groupId, role: 'coordinator', name: 'Claire', email, passwordHash: await hash(PASSWORD) } });
  // plain http, as supertest speaks it: the session cookie is not "secure"
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  afterAll(() => redis.disconnect());
  app = createApp({
    config: { publicBaseUrl: 'http://panier.test', twilio: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'imports-test-token', apiBaseUrl: undefined, demoMode: false } },
    db, redis, log: createLogger('silent'), redisPrefix: `t-${crypto.randomBytes(4).toString('hex')}:`,
  });
});

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
async function login() {
  const agent = request.agent(app);
  const page = await agent.get('/console/login');
  await agent.post('/console/login').type('form').send({ email, password: PASSWORD, _csrf: csrfOf(page.text) });
  return { agent, csrf: csrfOf((await agent.get('/console/customers/import')).text) };
}

describe('the mairie’s list of residents', () => {
  it('imports an .xlsx list from the console: a dry run, then new people created and a known phone updated, never doubled', async () => {
    const { agent, csrf } = await login();
    const known = await db.customer.update({ where: { id: g.customerId }, data: { address: '4 rue des Lilas', notes: 'sourde, parler fort' } });
    const landline = '03 86 22 01 01';
    const newMobile = uniqueMobile();
    const xlsx = await writeExcelFile([
      ['Nom', 'Téléphone', 'Adresse', 'Ligne', 'Livraison', 'Aidant', 'Téléphone aidant'],
      ['Madame Test', known.phone.replace('+33', '0'), null, 'portable', 'oui', null, null],
      ['Monsieur Roux', landline, '2 chemin des Vignes, Lormes', 'fixe', 'oui', 'Sa fille Anne', '06 11 22 33 44'],
      ['Madame Blanc', newMobile, null, null, 'non', null, null],
    ]).toBuffer();

    const dry = await agent.post('/console/customers/import').field('_csrf', csrf).field('dryRun', '1').attach('file', xlsx, 'liste-mairie.xlsx');
    expect(dry.status).toBe(200);
    expect(dry.text).toContain('Essai à blanc : 2 habitants seraient créés, 1 modifié. Rien n’a été enregistré.');
    expect(await db.customer.count({ where: { groupId: g.groupId } })).toBe(1);

    const done = await agent.post('/console/customers/import').field('_csrf', csrf).attach('file', xlsx, 'liste-mairie.xlsx');
    expect(done.text).toContain('2 habitants créés, 1 modifié.');
    expect(await db.customer.count({ where: { groupId: g.groupId } })).toBe(3);
    // the coordinator's import is audited, one entry per resident
    expect(await db.auditEvent.count({ where: { groupId: g.groupId, action: 'customer.created', entityType: 'Customer' } })).toBe(2);
    const madameTest = await db.customer.findUniqueOrThrow({ where: { id: g.customerId } });
    // updated in place; the empty address cell erased nothing
    expect(madameTest).toMatchObject({ deliveryByDefault: true, address: '4 rue des Lilas', notes: 'sourde, parler fort' });
    const roux = await db.customer.findFirstOrThrow({ where: { groupId: g.groupId, name: 'Monsieur Roux' } });
    expect(roux).toMatchObject({ phone: '+33386220101', lineType: 'landline', preferredChannel: 'voice', deliveryByDefault: true, secondaryContactName: 'Sa fille Anne', secondaryContactPhone: '+33611223344' });

    // the same list again: everyone updated, nobody doubled
    const again = await agent.post('/console/customers/import').field('_csrf', csrf).attach('file', xlsx, 'liste-mairie.xlsx');
    expect(again.text).toContain('0 habitant créé, 3 modifiés.');
    expect(await db.customer.count({ where: { groupId: g.groupId } })).toBe(3);
  });

  it('refuses a list with a bad line, says which and why, and writes nothing', async () => {
    const { agent, csrf } = await login();
    const before = await db.customer.count({ where: { groupId: g.groupId } });
    const a = uniqueMobile();
    const csv = iconv.encode(`nom;téléphone;livraison\nMonsieur Lefèvre;${a};oui\nMadame Noël;12 34;non\nMonsieur Doublé;${a};peut-être\n`, 'windows-1252');
    const res = await agent.post('/console/customers/import').field('_csrf', csrf).attach('file', csv, 'liste.csv');
    expect(res.status).toBe(400);
    expect(res.text).toContain('ligne 3 : téléphone « 12 34 » : pas un numéro valide');
    expect(res.text).toContain('ligne 4 : livraison « peut-être » : oui ou non attendu ; même téléphone que la ligne 2');
    expect(res.text).toContain('Rien n’a été enregistré');
    expect(await db.customer.count({ where: { groupId: g.groupId } })).toBe(before);
    const xls = await agent.post('/console/customers/import').field('_csrf', csrf).attach('file', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 1, 2, 3]), 'vieux.xls');
    expect(xls.status).toBe(400);
    expect(xls.text).toContain('ancien format Excel (.xls)');
  });
});

describe('the catalogue page', () => {
  it('imports Excel’s Windows-1252 CSV with French titles, and offers the template', async () => {
    const { agent, csrf } = await login();
    const csv = iconv.encode('producteur;code;nom;catégorie;unité;prix\r\nFerme test;61;Pâté de campagne;Épicerie;pièce;4,50\r\n', 'windows-1252');
    const res = await agent.post('/console/catalogue/import').field('_csrf', csrf).attach('file', csv, 'catalogue.csv');
    expect(res.text).toContain('1 produit créé, 0 modifié.');
    expect(await db.product.findFirstOrThrow({ where: { groupId: g.groupId, code: 61 } })).toMatchObject({ name: 'Pâté de campagne', category: 'Épicerie', unit: 'piece', priceCents: 450 });

    const page = await agent.get('/console/catalogue');
    expect(page.text).toContain('href="/console/catalogue/modele.xlsx"');
    const template = await agent.get('/console/catalogue/modele.csv');
    expect(template.headers['content-disposition']).toContain('modele-catalogue.csv');
    expect(template.text.startsWith('\uFEFFproducteur;code;nom;catégorie;unité;prix')).toBe(true);
    const workbook = await agent.get('/console/catalogue/modele.xlsx').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect((workbook.body as Buffer).subarray(0, 2).toString()).toBe('PK');
  });
});

describe('relay points and order windows', () => {
  it('finds a relay point without accents or case, and lists windows that overlap', async () => {
    const relay = await db.relayPoint.create({ data: { groupId: g.groupId, name: 'Épicerie du Centre', address: '1 place' } });
    expect((await findRelayPoint(db, g.groupId, 'epicerie du centre')).id).toBe(relay.id);
    expect((await findRelayPoint(db, g.groupId, '  EPICERIE  DU CENTRE ')).id).toBe(relay.id);
    await expect(findRelayPoint(db, g.groupId, 'Boulangerie')).rejects.toThrow(/"Épicerie du Centre"/);
    const open = await db.distribution.findUniqueOrThrow({ where: { id: g.distributionId } });
    const inside = { opensAt: new Date(open.closesAt.getTime() - 3600_000), closesAt: new Date(open.closesAt.getTime() + 3600_000) };
    expect((await overlappingOrderWindows(db, g.groupId, inside)).map((d) => d.id)).toEqual([open.id]);
    const after = { opensAt: open.closesAt, closesAt: new Date(open.closesAt.getTime() + 86_400_000) };
    expect(await overlappingOrderWindows(db, g.groupId, after)).toEqual([]);
  });

  it('warns in the console when a new distribution takes orders while another does', async () => {
    const { agent, csrf } = await login();
    const open = await db.distribution.findUniqueOrThrow({ where: { id: g.distributionId } });
    const local = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(d).replace(' ', 'T');
    const day = 86_400_000;
    const form = (opensAt: Date) => ({ _csrf: csrf, relayPointId: g.relayId, opensAt: local(opensAt), closesAt: local(new Date(opensAt.getTime() + day)), pickupStart: local(new Date(opensAt.getTime() + 2 * day)), pickupEnd: local(new Date(opensAt.getTime() + 2 * day + 3600_000)) });
    await agent.post('/console/distributions').type('form').send(form(new Date(open.closesAt.getTime() - 3600_000))).expect(303);
    expect((await agent.get('/console/distributions')).text).toContain('Distribution créée. Attention : les commandes de cette distribution sont ouvertes en même temps que celles de');
    await agent.post('/console/distributions').type('form').send(form(new Date(open.closesAt.getTime() + 30 * day))).expect(303);
    const quiet = (await agent.get('/console/distributions')).text;
    expect(quiet).toContain('Distribution créée.');
    expect(quiet).not.toContain('Attention');
  });
});

describe('the CLI', () => {
  async function cli(...args: string[]) {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: url }, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('prints the template, lists relay points, imports residents and warns about overlapping windows', async () => {
    const template = await cli('catalog', 'template');
    expect(template.stdout.startsWith('\uFEFFproducteur;code;nom;catégorie;unité;prix;pesé;pesé à la pièce')).toBe(true);
    const upcoming = await db.distribution.count({ where: { relayPointId: g.relayId, status: 'scheduled' } });
    expect((await cli('relay', 'list', '--group', g.slug)).stdout).toContain(`Epicerie test\t1 rue du Test\t${upcoming} upcoming distribution(s)`);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));
    const list = path.join(dir, 'habitants.csv');
    fs.writeFileSync(list, `Nom;Tél;Livraison\nMadame Petit;${uniqueMobile()};oui\n`);
    const dry = await cli('customer', 'import', list, '--group', g.slug, '--dry-run');
    expect(dry.stdout).toContain('Essai à blanc : 1 habitant serait créé, 0 modifié.');

    const open = await db.distribution.findUniqueOrThrow({ where: { id: g.distributionId } });
    const local = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(d);
    const created = await cli('distribution', 'create', '--group', g.slug, '--relay', 'EPICERIE TEST', '--opens', local(new Date(open.closesAt.getTime() - 3600_000)), '--closes', local(new Date(open.closesAt.getTime() + 86_400_000)), '--pickup-start', local(new Date(open.closesAt.getTime() + 2 * 86_400_000)), '--pickup-end', local(new Date(open.closesAt.getTime() + 2 * 86_400_000 + 3600_000)));
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Attention : les commandes de cette distribution sont ouvertes en même temps que celles de');
  }, 180_000);
});
