import pg from 'pg';

export interface PgPoolOptions {
  max?: number;
  /** Report `name` (OID 19) columns as `text` (OID 25): needed by the Prisma CLI only (prisma/orm#27403). */
  nameAsText?: boolean;
  onError?: (err: Error) => void;
  idleTimeoutMillis?: number;
}

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
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    options: '-c TimeZone=UTC',
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    // idle connections never keep a process (the Prisma CLI, a script) alive
    allowExitOnIdle: true,
  });
  // An idle client losing its connection must not kill the process.
  pool.on('error', (err) => options.onError?.(err));
  if (options.nameAsText) pool.on('connect', patchQuery);
  return pool;
}
