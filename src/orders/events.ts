// The outbox event catalogue: every event the domain announces, with its payload's shape. Writing
// an event is typed by this list, and the worker's handler map is keyed by it, so an event type
// nobody handles does not compile. Payloads hold ids only: job data sits in clear in Redis.
import { z } from 'zod';
import type { Tx } from '../platform/db/client.js';
import { writeOutboxEvent } from '../platform/outbox.js';

const id = z.string().min(1);

export const EVENT_PAYLOADS = {
  'order.confirmed': z.object({ orderId: id, channel: z.enum(['sms', 'voice', 'operator']) }),
  /** lines added to a confirmed order: the resident was answered in the SMS thread */
  'order.updated': z.object({ orderId: id }),
  'order.cancelled': z.object({ orderId: id, by: z.enum(['staff', 'resident']) }),
  /** the final price once weighed; `correction`: a final price had already been sent */
  'order.finalized': z.object({ orderId: id, finalCents: z.number().int(), correction: z.boolean() }),
  'delivery.requested': z.object({ deliveryId: id, orderId: id }),
  'delivery.assigned': z.object({ deliveryId: id, courierId: id, previousCourierId: id.nullable() }),
  'delivery.delivered': z.object({ deliveryId: id }),
  'delivery.failed': z.object({ deliveryId: id }),
  'delivery.late': z.object({ deliveryId: id }),
  /** orders closed (at closesAt, or early by a coordinator): the delivery lead's digest */
  'distribution.closed': z.object({ distributionId: id }),
  /** the distribution will not happen: every resident with an order and the delivery lead are told */
  'distribution.cancelled': z.object({ distributionId: id, orderIds: z.array(id) }),
  'distribution.reminder': z.object({ distributionId: id, reminder: z.enum(['open', 'last_day']) }),
  'distribution.ready': z.object({ distributionId: id }),
  'message.retry_call': z.object({ messageId: id }),
  /** a message that matters could not be delivered (to a courier, the lead): coordinators are told */
  'message.undeliverable': z.object({ messageId: id }),
  /**
   * what residents are offered changed (products, prices, stock settings, relay points,
   * distributions): every process drops the group's cached catalogue. Aggregate: the group.
   */
  'catalog.changed': z.object({ what: z.enum(['products', 'relays', 'distributions']) }),
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];

const AGGREGATE: Record<string, string> = { order: 'Order', delivery: 'Delivery', distribution: 'Distribution', message: 'Message', catalog: 'Group' };

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_PAYLOADS, type);
}

/** Records an event in the caller's transaction; the relay publishes it after commit. */
export function recordEvent<T extends EventType>(tx: Tx, groupId: string, type: T, aggregateId: string, payload: EventPayload<T>): Promise<string> {
  const aggregateType = AGGREGATE[type.split('.')[0]!]!;
  return writeOutboxEvent(tx, { groupId, type, aggregateType, aggregateId, payload: EVENT_PAYLOADS[type].parse(payload) });
}

/** The payload of a stored event, checked against the catalogue (stored JSON is never trusted). */
export function parseEvent<T extends EventType>(type: T, payload: unknown): EventPayload<T> {
  return EVENT_PAYLOADS[type].parse(payload) as EventPayload<T>;
}
