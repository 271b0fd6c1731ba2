import path from 'node:path';
import type { Config } from '../config.js';
import { createDb, type Db } from './db/client.js';
import { databaseActivity, disconnectWhenIdle } from './db/close.js';
import { migrateDeploy } from './db/migrate.js';
import { EMBEDDED_PG_MAX_CONNECTIONS, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded/postgres.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './embedded/redis.js';
import type { Logger } from './logger.js';
import type { ShutdownStep } from './shutdown.js';

export interface DatabaseHandle {
  db: Db;
  url: string;
  /** true when this process serves or reuses the embedded PGlite */
  embedded: boolean;
  /**
   * Disconnects once no query or transaction is running or waiting (DatabaseBusyError at the
   * deadline, default in 10 s), then stops the embedded server.
   */
  close(deadline?: number): Promise<void>;
}

/**
 * The database: DATABASE_URL when set, else the embedded PGlite in $DATA_DIR/pg (started here, or
 * the one the running service already serves). Migrations are applied first (never `db push`).
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  log: Logger,
  opts: { poolMax?: number; applicationName?: string; preparedStatements?: boolean } = {},
): Promise<DatabaseHandle> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'pg'));
    url = embedded.url;
    log.info({ dataDir: path.join(config.dataDir, 'pg'), reused: !embedded.owned }, 'embedded PostgreSQL (PGlite) ready');
  }
  await migrateDeploy(url);
  // the embedded server is one session: a single connection for this process (see EMBEDDED_PG_MAX_CONNECTIONS)
  const poolMax = embedded ? Math.min(1, EMBEDDED_PG_MAX_CONNECTIONS - 1) : (opts.poolMax ?? 10);
  const db = createDb(url, {
    poolMax,
    applicationName: opts.applicationName,
    // PGlite ignores it today; were it to honour it, it would end the one session everybody shares
    idleInTransactionTimeoutMs: embedded ? 0 : undefined,
    // its one session outlives a connection: a statement prepared by the last one would clash
    prepareStatements: !embedded && opts.preparedStatements !== false,
    onPoolError: (err) => log.warn({ error: err.message }, 'database connection lost'),
  });
  return {
    db,
    url,
    embedded: Boolean(embedded),
    async close(deadline = Date.now() + 10_000) {
      await disconnectWhenIdle(db, deadline);
      await embedded?.stop();
    },
  };
}

export interface RedisHandle {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** Redis: REDIS_URL when set, else a redis-server from PATH with its data in $DATA_DIR/redis. */
export async function openRedisServer(config: Pick<Config, 'redisUrl' | 'dataDir'>, log: Logger, opts: { ownProcessGroup?: boolean } = {}): Promise<RedisHandle> {
  if (config.redisUrl) return { url: config.redisUrl, embedded: false, close: async () => {} };
  const server: EmbeddedRedis = await startEmbeddedRedis(path.join(config.dataDir, 'redis'), opts);
  log.info({ dataDir: path.join(config.dataDir, 'redis') }, 'embedded Redis ready');
  return { url: server.url, embedded: true, close: () => server.stop() };
}

/**
 * The database as a shutdown step: it waits for the queries and transactions still running, as
 * long as the shutdown's time limit lets it (which then logs what was still running).
 */
export function databaseStep(database: DatabaseHandle): ShutdownStep {
  return { name: 'database', close: () => database.close(Number.POSITIVE_INFINITY), pending: () => ({ ...databaseActivity(database.db) }) };
}
