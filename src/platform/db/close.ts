// Disconnecting Prisma safely. Prisma 6.19's $disconnect never returns when it is called while
// interactive transactions wait for a pool connection: the waiting transactions are marked rolled
// back, and when their connection arrives the transaction manager throws without releasing it, so
// the pool's end() waits forever and the sessions stay "idle in transaction" after BEGIN
// (docs/prisma-disconnect-hang.md). So: disconnect only once nothing is running or waiting.
import { poolOf, type Db } from './client.js';
import { poolActivity, type PoolActivity } from './pool.js';

export class DatabaseBusyError extends Error {
  constructor(readonly activity: PoolActivity) {
    super(`database still busy: ${activity.busy} connection(s) in use, ${activity.waiting} waiting`);
    this.name = 'DatabaseBusyError';
  }
}

const idle = (a: PoolActivity) => a.busy === 0 && a.waiting === 0;

/** What the client's pool is doing now (nothing known: a client not made by createDb). */
export function databaseActivity(db: Db): PoolActivity | undefined {
  const pool = poolOf(db);
  return pool ? poolActivity(pool) : undefined;
}

/**
 * Waits until no query or transaction is running or waiting for a connection (twice in a row, a
 * poll apart: a request between two queries is briefly idle), then disconnects. Gives up at
 * `deadline` with a DatabaseBusyError and does not disconnect: the caller exits instead, its
 * connections close with the process and PostgreSQL rolls back what they left open.
 */
export async function disconnectWhenIdle(db: Db, deadline: number, pollMs = 20): Promise<void> {
  let quietPolls = 0;
  for (;;) {
    const activity = databaseActivity(db);
    if (!activity) break;
    quietPolls = idle(activity) ? quietPolls + 1 : 0;
    if (quietPolls >= 2) break;
    if (Date.now() >= deadline) throw new DatabaseBusyError(activity);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  await db.$disconnect();
}
