// The pool's guards and the safe disconnect, on real PostgreSQL (PGlite ignores session settings).
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../src/platform/db/client.js';
import { PREPARE_AFTER } from '../src/platform/db/pool.js';
import { DatabaseBusyError, databaseActivity, disconnectWhenIdle } from '../src/platform/db/close.js';
import { useTestDatabase } from './helpers/db.js';

const realPostgres = Boolean(inject('pgAdminUrl'));

async function waitFor(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(realPostgres)('database sessions (real PostgreSQL)', () => {
  const clients: Db[] = [];
  const open = (url: string, opts: Parameters<typeof createDb>[1]) => {
    const db = createDb(url, opts);
    clients.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of clients) await disconnectWhenIdle(db, Date.now() + 5_000).catch(() => {});
  });

  it('opens every session in UTC, named, and with idle_in_transaction_session_timeout = 30 s', async () => {
    const { url } = await useTestDatabase();
    const db = open(url, { applicationName: 'panier-test-session' });
    const [row] = await db.$queryRaw<{ tz: string; idle: string; app: string }[]>`
      SELECT current_setting('TimeZone') AS tz, current_setting('idle_in_transaction_session_timeout') AS idle, current_setting('application_name') AS app`;
    expect(row).toEqual({ tz: 'UTC', idle: '30s', app: 'panier-test-session' });
  });

  it('prepares a statement the process sends again and again, once per connection; never on a client told not to', async () => {
    const { url } = await useTestDatabase();
    const marker = `prep_${Date.now()}`;
    const prepared = async (db: Db) => {
      for (let i = 0; i < PREPARE_AFTER + 2; i++) {
        // the same text each time, as Prisma sends a query of the code
        expect(await db.$queryRawUnsafe<{ n: number }[]>(`SELECT $1::int AS n, '${marker}' AS marker`, i)).toEqual([{ n: i, marker }]);
      }
      const [row] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%' AND statement NOT LIKE '%pg_prepared_statements%'`, marker);
      return row!.n;
    };
    expect(await prepared(open(url, { poolMax: 1 }))).toBe(1);
    expect(await prepared(open(url, { poolMax: 1, prepareStatements: false }))).toBe(0);
  });

  it('ends a session left idle in transaction, so its locks are freed', async () => {
    const { db: owner, url } = await useTestDatabase();
    const group = await owner.group.create({ data: { slug: 'idle-tx', name: 'Panier' } });
    const db = open(url, { idleInTransactionTimeoutMs: 300 });
    // a client that stops talking in the middle of a transaction, holding a row lock
    const stuck = db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Group" WHERE id = ${group.id} FOR UPDATE`;
      await new Promise((r) => setTimeout(r, 1_500));
      await tx.$queryRaw`SELECT 1`;
    }, { timeout: 10_000 });
    await expect(stuck).rejects.toThrow();
    // the row can be locked again at once
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query("SET lock_timeout = '1s'");
    await other.query('BEGIN');
    await expect(other.query('SELECT id FROM "Group" WHERE id = $1 FOR UPDATE', [group.id])).resolves.toMatchObject({ rowCount: 1 });
    await other.query('ROLLBACK');
    await other.end();
  });

  it('fails a query that waits too long for a connection instead of waiting forever', async () => {
    const { url } = await useTestDatabase();
    const db = open(url, { poolMax: 1, connectionTimeoutMillis: 300 });
    let release!: () => void;
    const holding = db.$transaction(() => new Promise<void>((r) => (release = r)), { timeout: 10_000 });
    await waitFor(() => databaseActivity(db)?.busy === 1 && release !== undefined);
    await expect(db.$queryRaw`SELECT 1`).rejects.toThrow(/timeout exceeded when trying to connect/);
    release();
    await holding;
  });

  it('disconnects only once no transaction runs or waits for a connection', async () => {
    const { db: owner, url } = await useTestDatabase();
    const group = await owner.group.create({ data: { slug: 'queued-tx', name: 'Panier' } });
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM "Group" WHERE id = $1 FOR UPDATE', [group.id]);
    // 8 transactions on a pool of 2: two wait for the lock, six for a connection
    const db = createDb(url, { poolMax: 2 });
    const txs = Array.from({ length: 8 }, (_, i) =>
      db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Group" WHERE id = ${group.id} FOR UPDATE`;
        await tx.group.update({ where: { id: group.id }, data: { name: `Panier ${i}` } });
      }, { maxWait: 10_000, timeout: 10_000 }));
    await waitFor(() => databaseActivity(db)?.busy === 2 && databaseActivity(db)?.waiting === 6);
    // a plain $disconnect here never returns (docs/prisma-disconnect-hang.md): refuse instead
    const busy = await disconnectWhenIdle(db, Date.now() + 300).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(DatabaseBusyError);
    expect((busy as DatabaseBusyError).activity).toEqual({ total: 2, busy: 2, waiting: 6 });
    await locker.query('COMMIT');
    await locker.end();
    // once the queue has drained the disconnect returns, and every transaction committed
    await disconnectWhenIdle(db, Date.now() + 10_000);
    const outcomes = await Promise.allSettled(txs);
    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('fulfilled'));
    expect(databaseActivity(db)).toEqual({ total: 0, busy: 0, waiting: 0 });
  });
});
