// /metrics in Prometheus text format (prom-client), behind a bearer token (METRICS_TOKEN): the
// webhooks' counts and latencies as this process saw them, plus whatever gauges the domain
// modules register (read at scrape time from PostgreSQL and Redis, so any web process answers
// for the whole deployment). Without a token nothing is measured and /metrics does not exist.
import crypto from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** counts and times every request under /twilio (403s included) */
  webhookMiddleware(req: Request, res: Response, next: NextFunction): void;
}

/** Webhook paths as labels: known ones by name, anything else "other" (no unbounded label values). */
const WEBHOOK_ROUTES = new Set(['/twilio/sms', '/twilio/voice', '/twilio/voice/step', '/twilio/voice/status', '/twilio/status', '/twilio/recording', '/twilio/voice/notice', '/twilio/voice/notice-status']);
export function webhookRoute(path: string): string {
  const p = path.replace(/\/+$/, '');
  return WEBHOOK_ROUTES.has(p) ? p : '/twilio/other';
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'panier' });
  collectDefaultMetrics({ register: registry, prefix: 'panier_' });
  const requests = new Counter({ name: 'panier_webhook_requests_total', help: 'Twilio webhook requests by route and HTTP status', labelNames: ['route', 'status'] as const, registers: [registry] });
  const duration = new Histogram({
    name: 'panier_webhook_duration_seconds',
    help: 'Time to answer a Twilio webhook (Twilio gives up after 15 s; voice callers hear silence)',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });
  return {
    registry,
    webhookMiddleware(req, res, next) {
      const end = duration.startTimer();
      res.once('finish', () => {
        const route = webhookRoute(req.originalUrl.split('?')[0] ?? '');
        end({ route });
        requests.inc({ route, status: String(res.statusCode) });
      });
      next();
    },
  };
}

/** GET /metrics with `Authorization: Bearer <token>`; 401 otherwise, compared in constant time. */
export function metricsRouter(metrics: Metrics, token: string): Router {
  const router = Router();
  const expected = crypto.createHash('sha256').update(token).digest();
  router.get('/metrics', async (req, res) => {
    const given = /^Bearer\s+(.+)$/i.exec(req.header('authorization') ?? '')?.[1] ?? '';
    if (!crypto.timingSafeEqual(crypto.createHash('sha256').update(given).digest(), expected)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('bearer token required\n');
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
