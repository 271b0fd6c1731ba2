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
  const row = await tx.outboxEvent.create({
    data: { groupId: event.groupId, type: event.type, aggregateType: event.aggregateType, aggregateId: event.aggregateId, payload: event.payload ?? {} },
    select: { id: true },
  });
  return row.id;
}
