import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
import pg from 'pg';

export interface PgPoolOptions {
  max?: number;
  /** Report `name` (OID 19) columns as `text` (OID 25): needed by the Prisma CLI only (prisma/orm#27403). */
  nameAsText?: boolean;
  onError?: (err: Error) => void;
  idleTimeoutMillis?: number;
  /** How long a query or transaction waits for a free connection (or a new one to open) before failing. */
  connectionTimeoutMillis?: number;
  /**
   * The server ends a session left "idle in transaction" this long (0: never), so that a stuck
   * client (a leaked connection, a frozen process) cannot hold its locks and a connection forever.
   */
  idleInTransactionTimeoutMs?: number;
  /** Shown in pg_stat_activity: tells the web process, the worker and the CLI apart. */
  applicationName?: string;
  /**
   * Statements this process sends again and again become prepared statements (see
   * prepareRepeated). False for the embedded server, whose one session outlives a connection.
   */
  prepareStatements?: boolean;
}

/** A statement text sent this many times by the process is prepared on each connection it next runs on. */
export const PREPARE_AFTER = 5;
/** Connections are renewed this often when statements are prepared: their cached plans stay few. */
const PREPARED_CONNECTION_LIFETIME_S = 15 * 60;

// statement texts seen, with how often and the name they are prepared under (shared by every pool
// of the process: the same text gets the same name, and pg prepares it once per connection)
const seenStatements = new LRUCache<string, { uses: number; name: string }>({ max: 1_000 });

interface QueryConfigLike {
  text?: unknown;
  name?: unknown;
  values?: unknown;
}

/**
 * Gives a statement sent often (Prisma's queries come without a name) a name derived from its
 * text, so that PostgreSQL parses and plans it once per connection and pg sends only Bind/Execute
 * afterwards, as JDBC's prepareThreshold does. Statements without parameters (BEGIN, COMMIT) are left alone.
 */
function nameIfRepeated(config: unknown): void {
  if (typeof config !== 'object' || config === null) return;
  const q = config as QueryConfigLike;
  if (typeof q.text !== 'string' || q.name !== undefined || !Array.isArray(q.values) || q.values.length === 0) return;
  let seen = seenStatements.get(q.text);
  if (!seen) {
    seen = { uses: 0, name: `p${crypto.createHash('sha1').update(q.text).digest('hex').slice(0, 20)}` };
    seenStatements.set(q.text, seen);
  }
  seen.uses += 1;
  if (seen.uses >= PREPARE_AFTER) q.name = seen.name;
}

function prepareRepeated(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    nameIfRepeated(args[0]);
    return original(...args);
  };
}

/** Defaults for every pool of the service. */
export const POOL_DEFAULTS = { max: 10, connectionTimeoutMillis: 10_000, idleInTransactionTimeoutMs: 30_000 } as const;

const NAME_OID = 19;
const TEXT_OID = 25;

interface FieldsCarrier {
  fields?: { dataTypeID: number }[];
}

function rewriteNameFields(result: unknown): unknown {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as FieldsCarrier[]) {
    for (const field of r?.fields ?? []) {
      if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

function patchQuery(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  // pg's query has many overloads (pool.query uses the callback form, transactions the promise
  // form): post-process the result whichever way it comes back.
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res: unknown) => void;
      args[args.length - 1] = (err: unknown, res: unknown) => callback(err, err ? res : rewriteNameFields(res));
      return original(...args);
    }
    const out = original(...args);
    if (out && typeof (out as Promise<unknown>).then === 'function') {
      return (out as Promise<unknown>).then(rewriteNameFields);
    }
    return out;
  };
}

/**
 * A pg pool whose every connection runs in UTC: adapter-pg 6.19 stores timestamptz wrongly
 * when the session time zone is not UTC (prisma/orm#26786).
 */
export function createPgPool(connectionString: string, options: PgPoolOptions = {}): pg.Pool {
  const idleInTransaction = options.idleInTransactionTimeoutMs ?? POOL_DEFAULTS.idleInTransactionTimeoutMs;
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? POOL_DEFAULTS.max,
    options: `-c TimeZone=UTC -c idle_in_transaction_session_timeout=${Math.max(0, Math.round(idleInTransaction))}`,
    application_name: options.applicationName,
    // without it a query queued behind a full pool (or an unreachable server) waits forever
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? POOL_DEFAULTS.connectionTimeoutMillis,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    // idle connections never keep a process (the Prisma CLI, a script) alive
    allowExitOnIdle: true,
    ...(options.prepareStatements ? { maxLifetimeSeconds: PREPARED_CONNECTION_LIFETIME_S } : {}),
  });
  // An idle client losing its connection must not kill the process.
  pool.on('error', (err) => options.onError?.(err));
  if (options.nameAsText) pool.on('connect', patchQuery);
  if (options.prepareStatements) pool.on('connect', prepareRepeated);
  return pool;
}

export interface PoolActivity {
  /** connections open */
  total: number;
  /** connections running a query or held by a transaction (or still opening) */
  busy: number;
  /** queries and transactions waiting for a connection */
  waiting: number;
}

export function poolActivity(pool: pg.Pool): PoolActivity {
  return { total: pool.totalCount, busy: pool.totalCount - pool.idleCount, waiting: pool.waitingCount };
}
