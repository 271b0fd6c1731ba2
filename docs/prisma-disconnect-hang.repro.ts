// Prisma 6.19.3 + @prisma/adapter-pg: $disconnect() called while interactive transactions wait for a
// pool connection never returns. See prisma-disconnect-hang.md beside this file.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx docs/prisma-disconnect-hang.repro.ts
//   ... add --workaround to disconnect the way the service does (src/platform/db/close.ts)
//
// Needs no table: the transactions only sleep. Exits 1 when the disconnect hangs, 0 when it returns.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../src/platform/db/generated/client.js';

const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const workaround = process.argv.includes('--workaround');
const APP = `prisma-disconnect-repro-${process.pid}`;

const pool = new pg.Pool({ connectionString: url, max: 2, application_name: APP });
const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
const idle = () => pool.waitingCount === 0 && pool.totalCount === pool.idleCount;

// 8 interactive transactions on a pool of 2: 2 run, 6 wait for a connection
const outcomes: string[] = [];
for (let i = 0; i < 8; i++) {
  db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 AS slept FROM pg_sleep(0.3)`;
  }, { maxWait: 10_000, timeout: 20_000 }).then(
    () => outcomes.push(`#${i} committed`),
    (err: unknown) => outcomes.push(`#${i} failed: ${err instanceof Error ? err.message.trim().split('\n')[0] : String(err)}`),
  );
}
while (pool.waitingCount === 0) await new Promise((r) => setTimeout(r, 5));
console.log(`before disconnect: ${pool.totalCount} connections busy, ${pool.waitingCount} transactions waiting for one`);

const startedAt = Date.now();
let returned = false;
const disconnect = async () => {
  if (workaround) while (!idle()) await new Promise((r) => setTimeout(r, 20));
  await db.$disconnect();
};
disconnect().then(() => {
  returned = true;
  console.log(`$disconnect returned after ${Date.now() - startedAt} ms`);
});

await new Promise((r) => setTimeout(r, 5_000));
const watcher = new pg.Client({ connectionString: url });
await watcher.connect();
const sessions = await watcher.query<{ state: string; query: string }>('SELECT state, query FROM pg_stat_activity WHERE application_name = $1', [APP]);
await watcher.end();
console.log(`transactions: ${outcomes.length ? '\n  ' + outcomes.join('\n  ') : 'none settled'}`);
console.log(`after 5 s: $disconnect ${returned ? 'returned' : 'has NOT returned'}; pool: ${pool.totalCount} connections, ${pool.idleCount} idle, ${pool.waitingCount} waiting`);
console.log(`sessions of this process in PostgreSQL: ${sessions.rows.length ? sessions.rows.map((s) => `${s.state} (${s.query})`).join(', ') : 'none'}`);
process.exit(returned ? 0 : 1);
