import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';
import { createPgPool } from './pool.js';

export { Prisma, PrismaClient } from './generated/client.js';
export type Db = PrismaClient;
/** The client handed to a transaction callback. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface DbOptions {
  poolMax?: number;
  onPoolError?: (err: Error) => void;
}

/** A Prisma client on the pg driver adapter: one code path for PostgreSQL and embedded PGlite. */
export function createDb(url: string, options: DbOptions = {}): Db {
  const pool = createPgPool(url, { max: options.poolMax ?? 10, onError: options.onPoolError });
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

/** True when a Prisma error is a unique-constraint violation (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'P2002';
}
