import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { pinoHttp } from 'pino-http';
import { createGroupDirectory } from './catalog/groups.js';
import { createCatalogCache, type CatalogCache } from './catalog/openCatalog.js';
import type { Config } from './config.js';
import { consoleRouter } from './console/index.js';
import type { LoginThrottleSettings } from './console/loginThrottle.js';
import { devPhoneRouter } from './demo/phoneRoutes.js';
import { createTwilioStandIn } from './demo/twilioStandIn.js';
import { statusRouter } from './delivery/statusRoute.js';
import { voiceNoticeRouter } from './delivery/voiceNotice.js';
import type { Db } from './platform/db/client.js';
import { refuseControlCharacters } from './platform/edgeInput.js';
import { errorHandler } from './platform/errors.js';
import { healthRouter } from './platform/health.js';
import { createMetrics, metricsRouter } from './platform/metrics.js';
import { registerDeliveryMetrics } from './delivery/metrics.js';
import { redactPhones, type Logger } from './platform/logger.js';
import { twilioSignatureGuard } from './platform/twilio.js';
import { createOrderService } from './orders/orderService.js';
import { smsRouter } from './sms/inboundRoute.js';
import { createSmsJournal } from './sms/journal.js';
import { createSmsAcceptor } from './sms/accept.js';
import { voiceRouter } from './voice/callRoutes.js';

export interface AppDeps {
  config: Pick<Config, 'publicBaseUrl' | 'twilio'> & { sessionSecret?: string; trustProxy?: string; metricsToken?: string };
  db: Db;
  redis: Redis;
  /** Redis for console sessions and login counters (SESSION_REDIS_URL); default: `redis` */
  sessionRedis?: Redis;
  log: Logger;
  /** Redis key prefix for console sessions and login counters */
  redisPrefix?: string;
  /** BullMQ key prefix of the worker's queues, for the dashboard */
  queuePrefix?: string;
  /** the clock, for tests that need another day */
  now?: () => Date;
  /** login throttling limits (tests shorten the waits) */
  loginThrottle?: Partial<LoginThrottleSettings>;
  /** console requests a minute per address from visitors not logged in (default 60) */
  anonymousPerMinute?: number;
  /** a text was accepted: queue it for the worker (main.ts; never throws, the worker's poll is the net) */
  onSmsAccepted?: (messageId: string) => void;
  /** the process's catalogue cache (shared with its worker, evicted by `catalog.changed`); default: the app's own */
  catalogs?: CatalogCache;
}

/** Webhook fields that are someone's own words: stray control characters are cleaned, not refused. */
const WEBHOOK_FREE_TEXT = ['Body', 'SpeechResult', 'UnstableSpeechResult', 'TranscriptionText'] as const;

const FALLBACK_TWIML = fileURLToPath(new URL('../public/voice-fallback.xml', import.meta.url));
const SMS_FALLBACK_TWIML = fileURLToPath(new URL('../public/sms-fallback.xml', import.meta.url));

/**
 * The URL as logged: staff pages and the demo phones keep their query (a searched name or number)
 * out of the logs; elsewhere phone numbers are masked, also when URL-encoded ("%2B33…", "06+12…").
 */
export function loggedUrl(url: string): string {
  const [path, query] = url.split('?', 2) as [string, string | undefined];
  if (query === undefined) return redactPhones(path);
  if (path.startsWith('/console') || path.startsWith('/dev/phone')) return `${redactPhones(path)}?…`;
  let decoded = query;
  try {
    decoded = decodeURIComponent(query.replace(/\+/g, ' '));
  } catch {
    // a malformed escape: mask what can be read as it is
  }
  return `${redactPhones(path)}?${redactPhones(decoded)}`;
}

/** TRUST_PROXY as Express takes it: unset, "false" or "none": no proxy; "true"; a hop count; addresses. Pure. */
export function trustProxySetting(value: string | undefined): boolean | number | string {
  const v = value?.trim().toLowerCase();
  if (!v || v === 'false' || v === 'none') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return value!.trim();
}

/** Builds the Express app from the modules' routers. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies named in TRUST_PROXY, none by default: the
  // login throttle counts per client address, which a believed header would let anyone rotate
  // (from this host or a private network too)
  app.set('trust proxy', trustProxySetting(deps.config.trustProxy));
  app.use(
    pinoHttp({
      logger: deps.log,
      // health probes would drown the log
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: loggedUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(healthRouter({ db: deps.db, redis: deps.redis, log: deps.log }));
  // the static French "service unavailable" TwiML, also served here for a quick setup
  app.get('/voice-fallback.xml', (_req, res) => res.type('text/xml').sendFile(FALLBACK_TWIML));
  app.get('/sms-fallback.xml', (_req, res) => res.type('text/xml').sendFile(SMS_FALLBACK_TWIML));

  if (deps.config.twilio.demoMode) {
    // demo mode: the service's Twilio REST calls land here (TWILIO_API_BASE_URL points at it)
    const standIn = createTwilioStandIn({ accountSid: deps.config.twilio.accountSid, authToken: deps.config.twilio.authToken, log: deps.log });
    app.use('/dev/twilio', standIn.router);
    app.use(devPhoneRouter({ db: deps.db, publicBaseUrl: deps.config.publicBaseUrl, accountSid: deps.config.twilio.accountSid, authToken: deps.config.twilio.authToken }));
  }

  if (deps.config.metricsToken) {
    const metrics = createMetrics();
    registerDeliveryMetrics(metrics.registry, { db: deps.db, redis: deps.redis, queuePrefix: deps.queuePrefix ?? 'panier' });
    // counted before the signature check: refused webhooks show too
    app.use('/twilio', metrics.webhookMiddleware);
    app.use(metricsRouter(metrics, deps.config.metricsToken));
  }

  // every Twilio webhook: form body, then the signature check, before any route runs
  app.use(
    '/twilio',
    express.urlencoded({ extended: false, limit: '64kb' }),
    twilioSignatureGuard({ authToken: deps.config.twilio.authToken, publicBaseUrl: deps.config.publicBaseUrl, log: deps.log }),
    // after the signature (a forged request is a 403 whatever it holds): a NUL in a signed From is a 400
    refuseControlCharacters({ freeText: WEBHOOK_FREE_TEXT }),
  );
  const orders = createOrderService({ db: deps.db, now: deps.now });
  const catalogs = deps.catalogs ?? createCatalogCache();
  const channelDeps = { ...deps, groups: createGroupDirectory(deps.db) };
  const acceptSms = createSmsAcceptor({ db: deps.db, log: deps.log, groups: channelDeps.groups, onAccepted: deps.onSmsAccepted });
  app.use(smsRouter({ log: deps.log, accept: acceptSms, journal: createSmsJournal(deps.redis, deps.redisPrefix) }));
  app.use(voiceRouter({ ...channelDeps, orders, catalogs, publicBaseUrl: deps.config.publicBaseUrl }));
  app.use(voiceNoticeRouter({ ...deps, publicBaseUrl: deps.config.publicBaseUrl }));
  app.use(statusRouter(deps));
  app.use(consoleRouter({ db: deps.db, orders, catalogs, redis: deps.redis, sessionRedis: deps.sessionRedis, log: deps.log, publicBaseUrl: deps.config.publicBaseUrl, twilio: deps.config.twilio, sessionSecret: deps.config.sessionSecret, redisPrefix: deps.redisPrefix, queuePrefix: deps.queuePrefix, now: deps.now, loginThrottle: deps.loginThrottle, anonymousPerMinute: deps.anonymousPerMinute }));

  app.use(errorHandler(deps.log));
  return app;
}
