import path from 'node:path';
import { z } from 'zod';

/** Credentials used in demo mode (no Twilio account): the service still runs its real code path. */
export const DEMO_TWILIO_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const DEMO_TWILIO_AUTH_TOKEN = 'demo-auth-token-not-a-secret';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());

const EnvSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  PUBLIC_BASE_URL: optionalUrl,
  DATABASE_URL: optionalString,
  REDIS_URL: optionalString,
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_API_BASE_URL: optionalUrl,
  ADMIN_EMAIL: optionalString,
  ADMIN_PASSWORD: optionalString,
  SESSION_SECRET: optionalString,
  // bearer token of /metrics (Prometheus); unset: no /metrics
  METRICS_TOKEN: optionalString,
  // which proxies' X-Forwarded-For/-Proto are believed (Express "trust proxy"); none by default
  TRUST_PROXY: optionalString,
  // a Redis of their own for console sessions and login counters (e.g. database 1, allkeys-lru)
  SESSION_REDIS_URL: optionalString,
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  OUTBOX_RELAY_INTERVAL_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).default(1000)),
  // the minute sweep's period (closing, reminders, late couriers); shorter only for tests (test:scale)
  SWEEP_INTERVAL_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1000).default(60_000)),
  // Twilio's pace for a long code is one segment a second; 0 lifts the limit (a stand-in, a benchmark)
  SMS_SEGMENTS_PER_SECOND: z.preprocess(emptyToUndefined, z.coerce.number().min(0).default(1)),
  // a courier who has not replied OK this long after being assigned is reported to the delivery lead
  COURIER_ACCEPT_WITHIN_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(120)),
  // connections each process opens to PostgreSQL (the embedded PGlite always takes one)
  DATABASE_POOL_MAX: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100).default(10)),
  // statements sent often are prepared on each connection; off behind a pooler that shares a
  // server session between clients (PgBouncer in transaction mode before 1.21)
  DATABASE_PREPARED_STATEMENTS: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('on')),
  // SIGTERM/SIGINT: HTTP, workers, then the database close within this; past it the process exits
  SHUTDOWN_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1_000).default(15_000)),
});

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  /** The URL Twilio calls; webhook signatures are checked against it (no trailing slash). */
  publicBaseUrl: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  twilio: {
    accountSid: string;
    authToken: string;
    /** undefined: Twilio's own hosts */
    apiBaseUrl: string | undefined;
    demoMode: boolean;
  };
  admin: { email: string | undefined; password: string | undefined };
  /** signs console session cookies; unset: derived from the Twilio auth token */
  sessionSecret: string | undefined;
  /** bearer token of /metrics; undefined: /metrics is not served */
  metricsToken: string | undefined;
  /** Express "trust proxy": the reverse proxies whose forwarded headers are believed; unset: none */
  trustProxy: string | undefined;
  /** Redis for console sessions and login counters; unset: the queue's Redis */
  sessionRedisUrl: string | undefined;
  logLevel: string;
  outboxRelayIntervalMs: number;
  sweepIntervalMs: number;
  smsSegmentsPerSecond: number;
  courierAcceptWithinMs: number;
  databasePoolMax: number;
  /** statements sent often become prepared statements (never on the embedded PGlite) */
  databasePreparedStatements: boolean;
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {}

/** Parses the environment once. Every variable is optional for the demo. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid environment: ${issues}`);
  }
  const e = parsed.data;
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const demoMode = !e.TWILIO_ACCOUNT_SID || !e.TWILIO_AUTH_TOKEN;
  if (demoMode && e.NODE_ENV === 'production') {
    throw new ConfigError('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required when NODE_ENV=production (demo mode is refused).');
  }
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicBaseUrl,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir: path.resolve(e.DATA_DIR),
    twilio: {
      accountSid: demoMode ? DEMO_TWILIO_ACCOUNT_SID : (e.TWILIO_ACCOUNT_SID as string),
      authToken: demoMode ? DEMO_TWILIO_AUTH_TOKEN : (e.TWILIO_AUTH_TOKEN as string),
      // demo mode points the SDK at the local stand-in
      apiBaseUrl: e.TWILIO_API_BASE_URL ?? (demoMode ? `${publicBaseUrl}/dev/twilio` : undefined),
      demoMode,
    },
    admin: { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD },
    sessionSecret: e.SESSION_SECRET,
    metricsToken: e.METRICS_TOKEN,
    trustProxy: e.TRUST_PROXY,
    sessionRedisUrl: e.SESSION_REDIS_URL,
    logLevel: e.LOG_LEVEL,
    outboxRelayIntervalMs: e.OUTBOX_RELAY_INTERVAL_MS,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    smsSegmentsPerSecond: e.SMS_SEGMENTS_PER_SECOND,
    courierAcceptWithinMs: e.COURIER_ACCEPT_WITHIN_MINUTES * 60_000,
    databasePoolMax: e.DATABASE_POOL_MAX,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS === 'on',
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

/**
 * `npm run start:prod` (and the Docker image) never falls back to the embedded PGlite or a
 * redis-server of its own: a production process that silently started an empty database beside
 * the real one would take orders nobody sees.
 */
export function requireExternalServices(config: Pick<Config, 'databaseUrl' | 'redisUrl'>): void {
  const missing = [config.databaseUrl ? undefined : 'DATABASE_URL', config.redisUrl ? undefined : 'REDIS_URL'].filter(Boolean);
  if (missing.length > 0) {
    throw new ConfigError(
      `npm run start:prod needs a PostgreSQL and a Redis of their own: set ${missing.join(' and ')} ` +
        '(e.g. DATABASE_URL=postgresql://user:password@host:5432/panier REDIS_URL=redis://host:6379). ' +
        'For a try-out on this machine, npm start runs both embedded.',
    );
  }
}
