// What the people who run the service watch, read at scrape time: queue depths and failures
// (BullMQ, in Redis), messages by status, and SMS segments sent — what the Twilio bill will be.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../platform/db/client.js';
import { QUEUE_NAMES } from '../platform/queues.js';
import { smsQueueName } from './sender.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

export function registerDeliveryMetrics(registry: Registry, deps: { db: Db; redis: Redis; queuePrefix: string }): void {
  const queues = new Map<string, Queue>();
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: deps.redis as ConnectionOptions, prefix: deps.queuePrefix });
      queues.set(name, q);
    }
    return q;
  };
  async function queueNames(): Promise<string[]> {
    const groups = await deps.db.group.findMany({ select: { smsSender: true, numbers: { select: { phone: true } } } });
    const senders = new Set(groups.flatMap((g) => [...(g.smsSender ? [g.smsSender] : []), ...g.numbers.map((n) => n.phone)]));
    return [QUEUE_NAMES.outbox, QUEUE_NAMES.inboundSms, ...[...senders].map(smsQueueName), 'calls', 'sweep'];
  }

  new Gauge({
    name: 'panier_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (failed: kept a week after their last attempt)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const name of await queueNames()) {
        const counts = await queue(name).getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
      }
    },
  });

  new Gauge({
    name: 'panier_messages',
    help: 'Messages (SMS in and out) by group, direction and status',
    labelNames: ['group', 'direction', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await deps.db.$queryRaw<{ slug: string; direction: string; status: string; n: bigint }[]>`
        SELECT g.slug, m.direction::text AS direction, m.status::text AS status, count(*) AS n
        FROM "Message" m JOIN "Group" g ON g.id = m."groupId" GROUP BY 1, 2, 3`;
      for (const r of rows) this.set({ group: r.slug, direction: r.direction, status: r.status }, Number(r.n));
    },
  });

  new Gauge({
    name: 'panier_sms_unanswered',
    help: 'Texts accepted by the webhook and not yet answered by the worker (count, and age of the oldest in seconds)',
    labelNames: ['measure'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const [row] = await deps.db.$queryRaw<{ n: bigint; oldest: number | null }[]>`
        SELECT count(*) AS n, EXTRACT(EPOCH FROM now() - min("createdAt"))::float8 AS oldest
        FROM "Message" WHERE direction = 'inbound' AND "processedAt" IS NULL`;
      this.set({ measure: 'count' }, Number(row?.n ?? 0));
      this.set({ measure: 'oldest_seconds' }, row?.oldest ?? 0);
    },
  });

  new Gauge({
    name: 'panier_sms_segments_sent',
    help: 'SMS segments sent (status sent or delivered) by group and day (UTC), for the last 7 days: what Twilio bills',
    labelNames: ['group', 'day'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await deps.db.$queryRaw<{ slug: string; day: string; segments: bigint }[]>`
        SELECT g.slug, to_char(date_trunc('day', m."createdAt" AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, sum(m.segments) AS segments
        FROM "Message" m JOIN "Group" g ON g.id = m."groupId"
        WHERE m.direction = 'outbound' AND m.channel = 'sms' AND m.status IN ('sent', 'delivered')
          AND m."createdAt" >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '6 days'
        GROUP BY 1, 2`;
      for (const r of rows) this.set({ group: r.slug, day: r.day }, Number(r.segments));
    },
  });
}
