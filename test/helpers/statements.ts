// A database client that counts the SQL statements it sends: what a hot path costs, in statements
// (a count does not depend on the machine's speed, so it can be asserted in a test).
import type pg from 'pg';
import { createDb, poolOf, type Db } from '../../src/platform/db/client.js';

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i;

export function countingDb(url: string) {
  const db = createDb(url, { poolMax: 4 });
  const sent: string[] = [];
  poolOf(db)!.on('connect', (client: pg.PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      sent.push(typeof first === 'string' ? first : ((first as { text?: string }).text ?? ''));
      return query(...args);
    };
  });
  return {
    db: db as Db,
    /** Runs `fn` and returns the statements it sent, BEGIN/COMMIT left out. */
    async statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
      const from = sent.length;
      await fn();
      return sent.slice(from).filter((q) => !TRANSACTION_CONTROL.test(q));
    },
  };
}
