import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/client.js';
import { createPgPool, type PgPoolOptions } from './pool.js';

export { Prisma, PrismaClient } from './generated/client.js';
export type Db = PrismaClient;
/** The client handed to a transaction callback. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface DbOptions extends Pick<PgPoolOptions, 'applicationName' | 'connectionTimeoutMillis' | 'idleInTransactionTimeoutMs' | 'prepareStatements'> {
  poolMax?: number;
  onPoolError?: (err: Error) => void;
}

const pools = new WeakMap<Db, { pool: pg.Pool; prepared: boolean }>();

/**
 * A Prisma client on the pg driver adapter: one code path for PostgreSQL and embedded PGlite.
 * Statements sent often are prepared (`prepareStatements`, on unless told otherwise: the embedded server says no).
 */
export function createDb(url: string, options: DbOptions = {}): Db {
  const { poolMax, onPoolError, prepareStatements = true, ...session } = options;
  const pool = createPgPool(url, { max: poolMax, onError: onPoolError, prepareStatements, ...session });
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, { pool, prepared: prepareStatements });
  return db;
}

/**
 * The pg pool under a client made by createDb: to watch its activity, and for the one statement of
 * the SMS webhook (sms/accept.ts), where Prisma's per-query cost is most of the request's.
 */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db)?.pool;
}

/** Whether statements may be prepared on this client's connections (not on the embedded server). */
export function preparesStatements(db: Db): boolean {
  return pools.get(db)?.prepared ?? false;
}

/** True when a Prisma error is a unique-constraint violation (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'P2002';
}
