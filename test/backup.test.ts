// backup / restore: pg_dump and psql from PATH on PostgreSQL, PGlite's own pg_dump on the embedded
// default; and the embedded default's warning when the last backup is older than a week.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { backup, backupWarning, restore, withoutMetaCommands } from '../src/platform/backup.js';
import { createDb } from '../src/platform/db/client.js';
import { openDatabase } from '../src/platform/infrastructure.js';
import { createLogger } from '../src/platform/logger.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup } from './helpers/fixtures.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'backup-'));

describe('backup and restore', () => {
  it('on PostgreSQL: pg_dump writes a dump that psql replays into an empty database', async () => {
    const admin = inject('pgAdminUrl') as string | undefined;
    if (!admin) return; // the embedded-only run has no PostgreSQL server to dump
    const { db, url } = await useTestDatabase();
    const g = await createTestGroup(db);
    const dir = tmp();
    const file = path.join(dir, 'dump.sql');
    const done = await backup({ databaseUrl: url, dataDir: dir }, file);
    expect(done.bytes).toBeGreaterThan(1000);
    expect(fs.readFileSync(file, 'utf8')).toContain('CREATE TABLE public."Group"');
    expect(backupWarning(dir)).toBeNull();

    const name = `panier_restore_${crypto.randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE "${name}"`);
    const target = new URL(admin);
    target.pathname = `/${name}`;
    try {
      await restore({ databaseUrl: target.toString(), dataDir: dir }, file);
      const restored = createDb(target.toString(), { poolMax: 1 });
      expect(await restored.group.findUniqueOrThrow({ where: { id: g.groupId } })).toMatchObject({ slug: g.slug });
      expect(await restored.product.count({ where: { groupId: g.groupId } })).toBe(6);
      await restored.$disconnect();
    } finally {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    }
  }, 120_000);

  it('on the embedded default: refused while the service runs, then dumped and restored', async () => {
    const dataDir = tmp();
    const log = createLogger('silent');
    let handle = await openDatabase({ databaseUrl: undefined, dataDir }, log);
    const g = await createTestGroup(handle.db);
    const file = path.join(dataDir, 'backups', 'embedded.sql');
    await expect(backup({ databaseUrl: undefined, dataDir }, file)).rejects.toThrow(/the service is running on the embedded database/);
    await handle.close();

    await backup({ databaseUrl: undefined, dataDir }, file);
    const sql = fs.readFileSync(file, 'utf8');
    expect(sql).toContain('CREATE TABLE public."Group"');
    expect(sql).toContain(g.slug);

    handle = await openDatabase({ databaseUrl: undefined, dataDir }, log);
    await handle.db.group.delete({ where: { id: g.groupId } });
    await handle.close();
    await restore({ databaseUrl: undefined, dataDir }, file);
    handle = await openDatabase({ databaseUrl: undefined, dataDir }, log);
    expect(await handle.db.customer.count({ where: { groupId: g.groupId } })).toBe(1);
    await handle.close();
  }, 180_000);

  it('warns when the last backup is older than a week, or when an old database never had one', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'pg'));
    expect(backupWarning(dir)).toBeNull(); // a new database
    expect(backupWarning(dir, new Date(Date.now() + 8 * 86_400_000))).toBe('this database has never been backed up: npm run cli -- backup (see README, Backups)');
    fs.mkdirSync(path.join(dir, 'backups'));
    fs.writeFileSync(path.join(dir, 'backups', 'last-backup.json'), JSON.stringify({ at: new Date(Date.now() - 10 * 86_400_000).toISOString() }));
    expect(backupWarning(dir)).toBe('the last backup is 10 days old: npm run cli -- backup (see README, Backups)');
    fs.writeFileSync(path.join(dir, 'backups', 'last-backup.json'), JSON.stringify({ at: new Date(Date.now() - 86_400_000).toISOString() }));
    expect(backupWarning(dir)).toBeNull();
    expect(withoutMetaCommands('\\restrict abc\nSELECT 1;\n\\unrestrict abc\n')).toBe('\nSELECT 1;\n\n');
  });
});
