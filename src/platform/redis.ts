import { Redis, type RedisOptions } from 'ioredis';

export { Redis };

/**
 * A Redis connection. `forWorker`: BullMQ workers block on Redis and need
 * maxRetriesPerRequest = null; producers fail fast instead of queueing commands while Redis is down.
 */
export function createRedis(url: string, opts: { forWorker?: boolean } = {}): Redis {
  const options: RedisOptions = opts.forWorker
    ? { maxRetriesPerRequest: null }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 };
  return new Redis(url, { ...options, lazyConnect: false });
}
