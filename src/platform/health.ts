import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Db } from './db/client.js';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timeout after ${ms} ms`)), ms).unref())]);
}

/** GET /healthz (the process answers) and GET /readyz (database and Redis reachable). */
export function healthRouter(deps: { db: Db; redis: Redis }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 2_000);
        return { status: 'ok' as const };
      } catch (err) {
        return { status: 'error' as const, error: err instanceof Error ? err.message : String(err) };
      }
    };
    const [database, redis] = await Promise.all([check(() => deps.db.$queryRaw`SELECT 1`), check(() => deps.redis.ping())]);
    const ready = database.status === 'ok' && redis.status === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'error', database, redis });
  });
  return router;
}
