import { beforeAll, describe, expect, it } from 'vitest';
import { importCatalogRows } from '../src/catalog/catalogService.js';
import { parseCatalogCsv } from '../src/catalog/csvImport.js';
import { distributionTimeProblems, findRelayPoint, parseLocalTime } from '../src/catalog/distributions.js';
import { SYSTEM } from '../src/orders/actor.js';
import { createDistribution } from '../src/orders/distributionLifecycle.js';
import type { Db } from '../src/platform/db/client.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup } from './helpers/fixtures.js';

let db: Db;
beforeAll(async () => {
  ({ db } = await useTestDatabase());
});

const HEADER = 'producer;code;name;category;unit;price;variable_weight;multi_weigh;portion_g;pack_size;average_weight_g;stock;aliases;vat';

describe('catalogue import', () => {
  it('creates, then updates by producer + code', async () => {
    const g = await createTestGroup(db);
    const file = [HEADER, 'Boulangerie Neuve;101;Fougasse;Pain;piece;3,50;;;;;;;fougasse;', 'Ferme test;102;Miel;Epicerie;piece;7;;;;;;5;;'].join('\n');
    const first = await importCatalogRows(db, g.groupId, parseCatalogCsv(file).rows);
    expect(first).toEqual({ created: 2, updated: 0, rejected: [], applied: true });
    const fougasse = await db.product.findUniqueOrThrow({ where: { groupId_code: { groupId: g.groupId, code: 101 } }, include: { producer: true } });
    expect(fougasse).toMatchObject({ name: 'Fougasse', priceCents: 350, aliases: ['fougasse'], producer: { name: 'Boulangerie Neuve' } });

    const second = await importCatalogRows(db, g.groupId, parseCatalogCsv(file.replace('3,50', '3,80')).rows);
    expect(second).toEqual({ created: 0, updated: 2, rejected: [], applied: true });
    expect((await db.product.findUniqueOrThrow({ where: { groupId_code: { groupId: g.groupId, code: 101 } } })).priceCents).toBe(380);
  });

  it('writes nothing when one row is bad, and says which line and why', async () => {
    const g = await createTestGroup(db);
    const before = await db.product.count({ where: { groupId: g.groupId } });
    const parsed = parseCatalogCsv([HEADER, 'Ferme test;201;Confiture;Epicerie;piece;4;;;;;;;;', 'Ferme test;202;Cidre;Boissons;bouteille;5;;;;;;;;'].join('\n'));
    const report = await importCatalogRows(db, g.groupId, parsed.rows, { rejected: parsed.rejections });
    expect(report.applied).toBe(false);
    expect(report.rejected).toEqual([{ line: 3, reason: 'unité inconnue "bouteille" (piece, kg, 100g ou litre)' }]);
    expect(await db.product.count({ where: { groupId: g.groupId } })).toBe(before);
  });

  it('refuses a code that belongs to another producer, without writing anything', async () => {
    const g = await createTestGroup(db);
    // code 1 is the test group's baguette from "Ferme test"
    const parsed = parseCatalogCsv([HEADER, 'Autre ferme;301;Jus de pomme;Boissons;litre;3;;;;;;;;', 'Autre ferme;1;Pain volé;Pain;piece;1;;;;;;;;'].join('\n'));
    const report = await importCatalogRows(db, g.groupId, parsed.rows);
    expect(report).toMatchObject({ applied: false, created: 1, rejected: [{ line: 3, reason: "le code 1 est celui d'un produit d'un autre producteur" }] });
    expect(await db.product.findUnique({ where: { groupId_code: { groupId: g.groupId, code: 301 } } })).toBeNull();
    expect(await db.producer.findFirst({ where: { groupId: g.groupId, name: 'Autre ferme' } })).toBeNull();
  });

  it('checks a file without writing it on a dry run', async () => {
    const g = await createTestGroup(db);
    const parsed = parseCatalogCsv([HEADER, 'Ferme test;401;Noix;Epicerie;kg;8;1;;;;;;;'].join('\n'));
    const report = await importCatalogRows(db, g.groupId, parsed.rows, { dryRun: true });
    expect(report).toEqual({ created: 1, updated: 0, rejected: [], applied: false });
    expect(await db.product.count({ where: { groupId: g.groupId, code: 401 } })).toBe(0);
  });

  it('gives codes to Cagette products whose ref is not a number', async () => {
    const g = await createTestGroup(db);
    const parsed = parseCatalogCsv(['productName;price;ref;qt;unit;floatQt;vat;stock', 'Confiture de fraises;4,50;CONF-F;1;Piece;0;5.5;', 'Confiture abricot;4,50;CONF-A;1;Piece;0;5.5;'].join('\n'), { cagetteProducer: 'Ferme test' });
    const report = await importCatalogRows(db, g.groupId, parsed.rows);
    expect(report.created).toBe(2);
    const codes = (await db.product.findMany({ where: { groupId: g.groupId, name: { startsWith: 'Confiture' } }, orderBy: { code: 'asc' } })).map((p) => p.code);
    // the test group's highest code is 30
    expect(codes).toEqual([31, 32]);
  });
});

describe('distributions', () => {
  it('reads local times in the group time zone, winter and summer', () => {
    expect(parseLocalTime('2026-12-04 16:00', 'Europe/Paris').toISOString()).toBe('2026-12-04T15:00:00.000Z');
    expect(parseLocalTime('2027-06-04 16:00', 'Europe/Paris').toISOString()).toBe('2027-06-04T14:00:00.000Z');
    expect(() => parseLocalTime('04/12/2026', 'Europe/Paris')).toThrow(/2026-12-04 16:00/);
  });
  it('refuses incoherent times', () => {
    const t = (s: string) => parseLocalTime(s, 'Europe/Paris');
    expect(distributionTimeProblems({ opensAt: t('2026-12-03 20:00'), closesAt: t('2026-12-02 20:00'), pickupStart: t('2026-12-04 16:00'), pickupEnd: t('2026-12-04 19:00') })).toEqual(['orders must open before they close']);
    expect(distributionTimeProblems({ opensAt: t('2026-11-25 20:00'), closesAt: t('2026-12-05 20:00'), pickupStart: t('2026-12-04 16:00'), pickupEnd: t('2026-12-04 19:00') })).toEqual(['orders must close before the pickup starts']);
  });
  it('stores times in UTC and reads them back unchanged', async () => {
    const g = await createTestGroup(db);
    const t = (s: string) => parseLocalTime(s, 'Europe/Paris');
    const relay = await findRelayPoint(db, g.groupId, 'Epicerie test');
    const d = await db.$transaction((tx) => createDistribution(tx, { groupId: g.groupId, relayPointId: relay.id, opensAt: t('2026-11-25 20:00'), closesAt: t('2026-12-02 20:00'), pickupStart: t('2026-12-04 16:00'), pickupEnd: t('2026-12-04 19:00') }, SYSTEM));
    const back = await db.distribution.findUniqueOrThrow({ where: { id: d.id } });
    expect(back.pickupStart.toISOString()).toBe('2026-12-04T15:00:00.000Z');
    expect(back.closesAt.toISOString()).toBe('2026-12-02T19:00:00.000Z');
    const raw = await db.$queryRaw<{ utc: string }[]>`SELECT to_char("pickupStart" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS utc FROM "Distribution" WHERE id = ${d.id}`;
    expect(raw[0]!.utc).toBe('2026-12-04 15:00');
  });
});
