import type { Tx } from './db/client.js';

export interface OutboxEventInput {
  groupId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  /** ids only: never phone numbers or addresses (job data sits in clear in Redis) */
  payload?: Record<string, string | number | boolean | null | string[]>;
}

/**
 * Records an event in the caller's transaction; the relay publishes it after commit. Domain code
 * writes through the typed catalogue (`recordEvent` in orders/events.ts), never this directly.
 */
export async function writeOutboxEvent(tx: Tx, event: OutboxEventInput): Promise<string> {
  // raw: every order confirmation writes one, often under its distribution's lock (Prisma's model
  // create costs three times the statement)
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "OutboxEvent" (id, "groupId", type, "aggregateType", "aggregateId", payload)
    VALUES (gen_random_uuid(), ${event.groupId}, ${event.type}, ${event.aggregateType}, ${event.aggregateId}, ${JSON.stringify(event.payload ?? {})}::jsonb)
    RETURNING id`;
  return row!.id;
}
