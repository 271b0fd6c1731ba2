import type { Queue } from 'bullmq';
import pg from 'pg';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';

export interface OutboxJobData {
  eventId: string;
  type: string;
  groupId: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

interface PendingRow {
  id: string;
  type: string;
  groupId: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/**
 * Publishes unpublished outbox events to BullMQ, oldest first, and marks them published in the same
 * transaction. Rows are claimed with FOR UPDATE SKIP LOCKED, so several workers never publish the
 * same batch; the job id is the event id, so a publish repeated after a crash is ignored by BullMQ.
 * Redis down: the transaction rolls back and the events wait for the next pass. Nothing is lost.
 */
export async function relayOutboxOnce(db: Db, queue: Queue, batchSize = 100): Promise<number> {
  return db.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<PendingRow[]>`
        SELECT id, type, "groupId", "aggregateType", "aggregateId", payload
        FROM "OutboxEvent" WHERE "publishedAt" IS NULL
        ORDER BY "createdAt" LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
      if (rows.length === 0) return 0;
      await queue.addBulk(
        rows.map((r) => ({
          name: r.type,
          data: { eventId: r.id, type: r.type, groupId: r.groupId, aggregateType: r.aggregateType, aggregateId: r.aggregateId, payload: r.payload } satisfies OutboxJobData,
          opts: { jobId: r.id },
        })),
      );
      const ids = rows.map((r) => r.id);
      await tx.$executeRaw`UPDATE "OutboxEvent" SET "publishedAt" = now(), attempts = attempts + 1 WHERE id = ANY(${ids}::text[])`;
      return rows.length;
    },
    { timeout: 15_000 },
  );
}

/**
 * Runs the relay every `intervalMs` until stopped, and at once when `listenUrl` (PostgreSQL) tells
 * of a commit with new events (LISTEN outbox_events). Errors are logged and retried on the next tick.
 */
export function startOutboxRelay(opts: { db: Db; queue: Queue; log: Logger; intervalMs: number; listenUrl?: string }) {
  const log = opts.log.child({ module: 'outbox-relay' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let again = false;
  let stopped = false;

  const tick = async () => {
    try {
      // drain in batches, then wait
      for (let n = await relayOutboxOnce(opts.db, opts.queue); n > 0 && !stopped; n = await relayOutboxOnce(opts.db, opts.queue)) {
        log.debug({ published: n }, 'outbox events published');
      }
    } catch (err) {
      log.warn({ err }, 'outbox relay pass failed; will retry');
    }
  };
  const run = () => {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    if (timer) clearTimeout(timer);
    running = tick().finally(() => {
      busy = false;
      if (again && !stopped) {
        again = false;
        run();
      } else schedule();
    });
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(run, opts.intervalMs);
  };

  let listener: pg.Client | undefined;
  if (opts.listenUrl) {
    const client = new pg.Client({ connectionString: opts.listenUrl });
    listener = client;
    client.on('notification', () => run());
    // a lost listening connection only means polling until the process restarts
    client.on('error', (err) => log.warn({ err }, 'outbox LISTEN connection lost; polling only'));
    client.connect().then(() => client.query('LISTEN outbox_events')).catch((err: unknown) => log.warn({ err }, 'outbox LISTEN unavailable; polling only'));
  }
  run();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await listener?.end().catch(() => {});
    },
  };
}
