import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/client.js';
import { createPgPool, type PgPoolOptions } from './pool.js';

export { Prisma, PrismaClient } from './generated/client.js';
export type Db = PrismaClient;
/** The client handed to a transaction callback. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface DbOptions extends Pick<PgPoolOptions, 'applicationName' | 'connectionTimeoutMillis' | 'idleInTransactionTimeoutMs'> {
  poolMax?: number;
  onPoolError?: (err: Error) => void;
}

const pools = new WeakMap<Db, pg.Pool>();

/** A Prisma client on the pg driver adapter: one code path for PostgreSQL and embedded PGlite. */
export function createDb(url: string, options: DbOptions = {}): Db {
  const { poolMax, onPoolError, ...session } = options;
  const pool = createPgPool(url, { max: poolMax, onError: onPoolError, ...session });
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/**
 * The pg pool under a client made by createDb: to watch its activity, and for the one statement of
 * the SMS webhook (sms/accept.ts), where Prisma's per-query cost is most of the request's.
 */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

/** True when a Prisma error is a unique-constraint violation (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'P2002';
}
