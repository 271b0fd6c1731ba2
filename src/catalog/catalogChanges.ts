// How every process hears that a group's catalogue changed: the worker handles the outbox event
// `catalog.changed` (recorded in the transaction of the change) by publishing the group on a Redis
// channel; each process listens on a connection of its own and drops the group's cached catalogue.
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import type { CatalogCache } from './openCatalog.js';

/** The channel, under the deployment's prefix (tests and deployments sharing a Redis stay apart). */
export function catalogChannel(prefix: string): string {
  return `${prefix}:catalog.changed`;
}

/** Tells every process: the group's catalogue changed. Throws while Redis is down (the event is retried). */
export async function publishCatalogChange(redis: Redis, prefix: string, groupId: string): Promise<void> {
  await redis.publish(catalogChannel(prefix), groupId);
}

/**
 * Listens for catalogue changes and evicts them from `catalogs`. `subscriber` is this listener's
 * own connection (a subscribed connection can do nothing else); the caller closes it. A message
 * published while it was disconnected is lost, so the whole cache is dropped when it comes back;
 * the cache's TTL covers what slips through.
 */
export function watchCatalogChanges(opts: { subscriber: Redis; prefix: string; catalogs: CatalogCache; log: Logger }): { subscribed: Promise<void> } {
  const channel = catalogChannel(opts.prefix);
  const log = opts.log.child({ module: 'catalog-changes' });
  let connectedOnce = opts.subscriber.status === 'ready';
  opts.subscriber.on('message', (from: string, groupId: string) => {
    if (from === channel) opts.catalogs.evict(groupId);
  });
  opts.subscriber.on('ready', () => {
    if (connectedOnce) {
      opts.catalogs.clear();
      log.info('catalogue change listener reconnected: cached catalogues dropped');
    }
    connectedOnce = true;
  });
  opts.subscriber.on('error', (err: Error) => log.warn({ err }, 'catalogue change listener: Redis error (cached catalogues expire on their own)'));
  const subscribed = opts.subscriber.subscribe(channel).then(
    () => undefined,
    (err: unknown) => log.warn({ err }, 'catalogue change listener could not subscribe: cached catalogues expire on their own'),
  );
  return { subscribed };
}
