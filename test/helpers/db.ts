import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { createDb, type Db } from '../../src/platform/db/client.js';

/**
 * A database for this test file: a fresh clone of the migrated template on PostgreSQL,
 * or the shared embedded PGlite. Closed (and dropped) after the file.
 */
export async function useTestDatabase(): Promise<{ db: Db; url: string }> {
  const shared = inject('sharedDatabaseUrl');
  if (shared) {
    // PGlite is one session: one connection (see EMBEDDED_PG_MAX_CONNECTIONS)
    const db = createDb(shared, { poolMax: 1, prepareStatements: false });
    afterAll(() => db.$disconnect());
    return { db, url: shared };
  }
  const adminUrl = inject('pgAdminUrl') as string;
  const template = inject('pgTemplate') as string;
  // the run's id in the name: globalSetup drops them all at the end, even when this file's
  // afterAll does not run (a failure, a timeout, useTestDatabase called inside a test)
  const name = `panier_test_${inject('pgRunId')}_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), { poolMax: 12 });
  afterAll(async () => {
    await db.$disconnect();
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  return { db, url: url.toString() };
}
