import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Db } from './db/client.js';
import type { Logger } from './logger.js';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timeout after ${ms} ms`)), ms).unref())]);
}

type Check = 'ok' | 'down';

/**
 * GET /healthz (the process answers) and GET /readyz (database and Redis reachable). /readyz is
 * public (load balancers call it): it names what is down in a word, and the error itself (host,
 * port, driver message) goes to the log only.
 */
export function healthRouter(deps: { db: Db; redis: Redis; log: Logger }): Router {
  const router = Router();
  const log = deps.log.child({ module: 'health' });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const check = async (name: string, fn: () => Promise<unknown>): Promise<Check> => {
      try {
        await withTimeout(fn(), 2_000);
        return 'ok';
      } catch (err) {
        log.warn({ dependency: name, err }, 'readiness check failed');
        return 'down';
      }
    };
    const [database, redis] = await Promise.all([check('database', () => deps.db.$queryRaw`SELECT 1`), check('redis', () => deps.redis.ping())]);
    const ready = database === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'error', database, redis });
  });
  return router;
}
