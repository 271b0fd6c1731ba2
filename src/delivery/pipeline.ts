// The worker side of notifications: the outbox relay, the fan-out of events into messages, the
// senders and the minute sweep. Started by `npm run start:worker` (and `npm start`).
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Twilio } from 'twilio';
import { publishCatalogChange } from '../catalog/catalogChanges.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { createNotificationHandlers } from './fanout.js';
import { createPrivacySweep } from '../privacy/sweep.js';
import { startOutboxRelay } from './outboxRelay.js';
import { startOutboxWorker } from './outboxWorker.js';
import { startSweepScheduler, type SweepSettings } from './schedule.js';
import { createSenderPool, PRIORITY, type SenderSettings } from './sender.js';
import { createGroupDirectory } from '../catalog/groups.js';
import { createCatalogCache, type CatalogCache } from '../catalog/openCatalog.js';
import { createOrderService } from '../orders/orderService.js';
import { createSmsConversation } from '../sms/conversation.js';
import { createInboundProcessor } from '../sms/inboundProcessor.js';
import { startInboundWorker, type InboundWorkerSettings } from '../sms/inboundWorker.js';
import { createStaffSms } from './staffSms.js';

export interface PipelineDeps {
  db: Db;
  /** for queues (fails fast while Redis is down) */
  producer: Redis;
  /** for workers (blocks, retries forever) */
  workerConnection: Redis;
  outboxQueue: Queue;
  prefix: string;
  twilio: Twilio;
  log: Logger;
  publicBaseUrl: string;
  relayIntervalMs: number;
  /** PostgreSQL URL to LISTEN for new outbox events (not the embedded PGlite: one session only) */
  listenUrl?: string;
  sender?: Partial<SenderSettings>;
  sweep?: Partial<SweepSettings> & { everyMs?: number };
  inbound?: Partial<InboundWorkerSettings>;
  /** the process's catalogue cache (evicted by `catalog.changed`); default: the pipeline's own */
  catalogs?: CatalogCache;
  now?: () => Date;
}

export async function startNotificationPipeline(deps: PipelineDeps) {
  const senders = createSenderPool({ connection: deps.workerConnection, prefix: deps.prefix, db: deps.db, twilio: deps.twilio, log: deps.log, publicBaseUrl: deps.publicBaseUrl, settings: deps.sender });
  // jobs left from before a restart are sent by their sender's worker
  const groups = await deps.db.group.findMany({ include: { numbers: true } });
  senders.resume(groups.flatMap((g) => [...(g.smsSender ? [g.smsSender] : []), ...g.numbers.map((n) => n.phone)]));
  const catalogChanged = (groupId: string) => publishCatalogChange(deps.producer, deps.prefix, groupId);
  const worker = startOutboxWorker({ connection: deps.workerConnection, prefix: deps.prefix, db: deps.db, log: deps.log, handlers: createNotificationHandlers({ db: deps.db, log: deps.log, senders, catalogChanged }), concurrency: deps.sender?.concurrency ?? 8 });
  // residents' texts, accepted by the web side, answered here; the reply leaves ahead of everything else
  const orders = createOrderService({ db: deps.db, now: deps.now });
  const processor = createInboundProcessor({
    db: deps.db, log: deps.log, groups: createGroupDirectory(deps.db),
    conversation: createSmsConversation({ orders, catalogs: deps.catalogs ?? createCatalogCache(), now: deps.now }),
    staff: createStaffSms({ now: deps.now }),
    sendReply: (reply) =>
      senders.enqueue({ id: reply.id, channel: 'sms', fromPhone: reply.fromPhone, priority: PRIORITY.reply }).catch((err: unknown) => {
        // the reply row is pending: the minute sweep queues it again
        deps.log.warn({ err, messageId: reply.id }, 'reply not queued (Redis?): the sweep will');
      }),
  });
  const inbound = startInboundWorker({
    db: deps.db, producer: deps.producer, workerConnection: deps.workerConnection, prefix: deps.prefix, log: deps.log, processor,
    settings: { concurrency: deps.sender?.concurrency ?? 8, ...deps.inbound },
  });
  const relay = startOutboxRelay({ db: deps.db, queue: deps.outboxQueue, log: deps.log, intervalMs: deps.relayIntervalMs, listenUrl: deps.listenUrl });
  const sweep = await startSweepScheduler({
    connection: deps.producer, workerConnection: deps.workerConnection, prefix: deps.prefix, db: deps.db, senders, log: deps.log,
    everyMs: deps.sweep?.everyMs, now: deps.now, settings: deps.sweep,
    hooks: [createPrivacySweep({ db: deps.db, twilio: deps.twilio, senders, log: deps.log })],
  });
  return {
    senders,
    inbound,
    /** Stops taking work; active jobs finish within `timeoutMs` or go back to the queue. */
    async close(timeoutMs = 10_000): Promise<void> {
      await relay.stop();
      await inbound.close();
      const deadline = Date.now() + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        Promise.all([worker.close(), sweep.close()]).then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!closed) await worker.close(true);
      await senders.close(Math.max(1_000, deadline - Date.now()));
    },
  };
}
