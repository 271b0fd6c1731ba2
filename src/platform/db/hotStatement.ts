import { poolOf, preparesStatements, type Db } from './client.js';

/**
 * Runs one statement of a hot path (outside any transaction) straight on the pg pool under Prisma,
 * as a named prepared statement: PostgreSQL parses and plans it once per connection instead of at
 * every call (not on the embedded server), and Prisma's query engine, which costs more than the
 * statement itself, is skipped.
 * `name` is unique to `text` across the service. A client without a pool (not made by createDb)
 * goes through Prisma's raw query.
 */
export async function runHot<Row>(db: Db, name: string, text: string, values: unknown[]): Promise<Row[]> {
  const pool = poolOf(db);
  if (!pool) return db.$queryRawUnsafe<Row[]>(text, ...values);
  // the embedded server's one session outlives a connection: a name prepared there would clash
  return (await pool.query<Row & object>(preparesStatements(db) ? { name, text, values } : { text, values })).rows;
}
