// Turns each outbox event into the notices it means (who is told what), writes them as Message
// rows (one per event and recipient, so a retried job adds none) and queues them on their sender.
import { LRUCache } from 'lru-cache';
import { DateTime } from 'luxon';
import { courierNotice, leadNotice, residentNotice, shortWhen, staffAlert } from '../i18n/notices.js';
import { dayAndHour, pickupWhen } from '../i18n/sms.js';
import type { Db } from '../platform/db/client.js';
import { runHot } from '../platform/db/hotStatement.js';
import type { Logger } from '../platform/logger.js';
import { nationalPhone } from '../platform/phone.js';
import { ACTIVE_STATUSES, PLACED_STATUSES } from '../orders/status.js';
import type { OutboxHandlers } from './outboxWorker.js';
import type { OutboxJobData } from './outboxRelay.js';
import { messageBody, residentNotices, senderFor, type Notice } from './recipients.js';
import { PRIORITY, type SenderPool } from './sender.js';
import { communeOf, firstName } from './staffCommands.js';

export interface FanoutDeps {
  db: Db;
  log: Logger;
  senders: SenderPool;
  /** tells every process to drop the group's cached catalogue (src/catalog/catalogChanges.ts) */
  catalogChanged: (groupId: string) => Promise<void>;
}

const ORDER_INCLUDE = {
  customer: true,
  distribution: { include: { relayPoint: true } },
  lines: { select: { quantity: true, variableWeight: true } },
  delivery: { include: { courier: true } },
} as const;

/** A confirmed order as its notice needs it: the order, its distribution and relay, its resident. */
interface ConfirmedForNotice {
  id: string;
  status: string;
  channel: string;
  fulfilment: string;
  basketNumber: number | null;
  estimatedCents: number;
  weighed: boolean;
  pickupStart: Date;
  pickupEnd: Date;
  deliveryStart: Date | null;
  deliveryEnd: Date | null;
  relayName: string;
  customerId: string;
  name: string | null;
  phone: string;
  lineType: string;
  preferredChannel: string;
  smsOptedOut: boolean;
  secondaryContactName: string | null;
  secondaryContactPhone: string | null;
}

const CONFIRMED_ORDER_SQL = `
  SELECT o.id, o.status::text AS status, o.channel::text AS channel, o.fulfilment::text AS fulfilment, o."basketNumber", o."estimatedCents",
    EXISTS (SELECT 1 FROM "OrderLine" l WHERE l."orderId" = o.id AND l."variableWeight") AS weighed,
    d."pickupStart", d."pickupEnd", d."deliveryStart", d."deliveryEnd", r.name AS "relayName",
    c.id AS "customerId", c.name, c.phone, c."lineType"::text AS "lineType", c."preferredChannel"::text AS "preferredChannel", c."smsOptedOut",
    c."secondaryContactName", c."secondaryContactPhone"
  FROM "Order" o
  JOIN "Distribution" d ON d.id = o."distributionId"
  JOIN "RelayPoint" r ON r.id = d."relayPointId"
  JOIN "Customer" c ON c.id = o."customerId"
  WHERE o.id = $1`;

export function createNotificationHandlers(deps: FanoutDeps): OutboxHandlers {
  const { db } = deps;
  const log = deps.log.child({ module: 'notifications' });

  // a group's sender settings and time zone change rarely: read at most every 30 s per worker
  function loadGroup(groupId: string) {
    return db.group.findUniqueOrThrow({ where: { id: groupId }, include: { numbers: { orderBy: { createdAt: 'asc' } } } });
  }
  type LoadedGroup = Awaited<ReturnType<typeof loadGroup>>;
  const groups = new LRUCache<string, LoadedGroup>({ max: 500, ttl: 30_000, fetchMethod: (groupId) => loadGroup(groupId) });
  const groupOf = async (groupId: string): Promise<LoadedGroup> => (await groups.fetch(groupId))!;

  async function leads(groupId: string) {
    const staff = await db.staffUser.findMany({ where: { groupId, role: 'delivery_lead', active: true, phone: { not: null } }, orderBy: { createdAt: 'asc' } });
    return staff.map((s) => s.phone!);
  }

  async function activeCouriers(groupId: string) {
    return db.courier.findMany({ where: { groupId, active: true }, orderBy: { name: 'asc' } });
  }

  /** Writes the notices (idempotent per event and recipient) and queues every one still pending. */
  async function deliver(event: Pick<OutboxJobData, 'eventId' | 'groupId'>, notices: Notice[]): Promise<void> {
    if (notices.length > 0) {
      const group = await groupOf(event.groupId);
      const identity = { smsSenderKind: group.smsSenderKind, smsSender: group.smsSender, numbers: group.numbers.map((n) => n.phone) };
      const rows = [];
      for (const n of notices) {
        const from = n.channel === 'voice' ? identity.numbers[0] : senderFor(identity, n.expectsReply);
        if (!from) {
          log.error({ groupId: event.groupId, kind: n.kind }, 'group has no sender number: notice not sent');
          continue;
        }
        rows.push({
          groupId: event.groupId, direction: 'outbound' as const, channel: n.channel, fromPhone: from, toPhone: n.to, ...messageBody(n),
          status: 'pending' as const, customerId: n.customerId, orderId: n.orderId, outboxEventId: event.eventId, kind: n.kind, recipientRole: n.role,
        });
      }
      const select = { id: true, channel: true, fromPhone: true, toPhone: true } as const;
      const created = await db.message.createManyAndReturn({ data: rows, skipDuplicates: true, select });
      // a retried event: some rows were written the first time, maybe never queued
      const pending = created.length === rows.length ? created : await db.message.findMany({ where: { outboxEventId: event.eventId, status: 'pending' }, select });
      const priorityOf = new Map(notices.map((n) => [`${n.to}`, n.priority]));
      for (const m of pending) await deps.senders.enqueue({ ...m, priority: priorityOf.get(m.toPhone) ?? PRIORITY.notice });
    }
  }

  const loadOrder = (orderId: string) => db.order.findUnique({ where: { id: orderId }, include: ORDER_INCLUDE });
  type LoadedOrder = NonNullable<Awaited<ReturnType<typeof loadOrder>>>;

  const timeZoneOf = async (groupId: string) => (await groupOf(groupId)).timeZone;
  const isActiveStatus = (status: string) => (ACTIVE_STATUSES as readonly string[]).includes(status);

  /** The delivery window, or the pickup window when the distribution has none. */
  function deliveryWindow(o: LoadedOrder, tz: string): string {
    const d = o.distribution;
    return d.deliveryStart && d.deliveryEnd ? shortWhen(d.deliveryStart, d.deliveryEnd, tz) : shortWhen(d.pickupStart, d.pickupEnd, tz);
  }

  async function coordinators(groupId: string) {
    const staff = await db.staffUser.findMany({ where: { groupId, role: 'coordinator', active: true, phone: { not: null } }, orderBy: { createdAt: 'asc' } });
    return staff.map((s) => s.phone!);
  }

  const handlers: OutboxHandlers = {
    'order.confirmed': async (e) => {
      // every order confirmed comes here: one prepared statement, not Prisma's include
      const [o] = await runHot<ConfirmedForNotice>(db, 'notice-order-confirmed', CONFIRMED_ORDER_SQL, [e.payload.orderId]);
      if (!o || !isActiveStatus(o.status)) return deliver(e, []);
      const tz = await timeZoneOf(e.groupId);
      const text =
        o.fulfilment === 'delivery'
          ? residentNotice.confirmedDelivery(o.basketNumber ?? 0, o.estimatedCents, o.weighed, o.deliveryStart && o.deliveryEnd ? pickupWhen(o.deliveryStart, o.deliveryEnd, tz) : null)
          : residentNotice.confirmed(o.basketNumber ?? 0, o.estimatedCents, o.weighed, pickupWhen(o.pickupStart, o.pickupEnd, tz), o.relayName);
      // an SMS order was answered in the conversation; a caller heard it, and gets it in writing on a mobile
      const customer = { id: o.customerId, name: o.name, phone: o.phone, lineType: o.lineType, preferredChannel: o.preferredChannel, smsOptedOut: o.smsOptedOut, secondaryContactName: o.secondaryContactName, secondaryContactPhone: o.secondaryContactPhone };
      const notices = residentNotices(customer, text, { kind: e.type, orderId: o.id, resident: o.channel !== 'sms' });
      return deliver(e, notices.filter((n) => !(o.channel === 'voice' && n.role === 'resident' && n.channel === 'voice')));
    },
    // lines added to a confirmed order by SMS: the resident was answered in the thread
    'order.updated': async (e) => deliver(e, []),
    'order.cancelled': async (e) => {
      const o = await loadOrder(e.payload.orderId);
      if (!o) return deliver(e, []);
      const group = await groupOf(e.groupId);
      const notices = residentNotices(o.customer, residentNotice.cancelled(o.basketNumber ?? 0, group.operatorPhone), { kind: e.type, orderId: o.id, resident: e.payload.by === 'staff' });
      const d = o.delivery;
      // cancelOrder cancelled its delivery too: the lead and the courier must not go
      if (d && d.status === 'cancelled') {
        const text = { sms: leadNotice.cancelled(o.basketNumber ?? 0), spoken: '' };
        for (const to of await leads(e.groupId)) notices.push({ kind: e.type, role: 'lead', to, channel: 'sms', text, customerId: null, orderId: o.id, expectsReply: false, priority: PRIORITY.dispatch });
        if (d.courier) {
          notices.push({ kind: e.type, role: 'courier', to: d.courier.phone, channel: 'sms', text: { sms: courierNotice.withdrawn(o.basketNumber ?? 0), spoken: '' }, customerId: null, orderId: o.id, expectsReply: false, priority: PRIORITY.dispatch });
        }
      }
      return deliver(e, notices);
    },
    'order.finalized': async (e) => {
      const o = await loadOrder(e.payload.orderId);
      // a later weigh-in changed the amount again: its own event tells the newer figure
      if (!o || o.finalCents === null || o.finalCents !== e.payload.finalCents || o.status === 'cancelled') return deliver(e, []);
      const text = e.payload.correction ? residentNotice.finalPriceCorrected(o.basketNumber ?? 0, o.finalCents) : residentNotice.finalPrice(o.basketNumber ?? 0, o.finalCents);
      return deliver(e, residentNotices(o.customer, text, { kind: e.type, orderId: o.id }));
    },
    'delivery.requested': async (e) => {
      const d = await db.delivery.findUnique({ where: { id: e.payload.deliveryId }, include: { order: { include: ORDER_INCLUDE } } });
      if (!d || !isActiveStatus(d.order.status) || d.status !== 'requested') return deliver(e, []);
      const tz = await timeZoneOf(e.groupId);
      const couriers = await activeCouriers(e.groupId);
      const hint = couriers[0] ? firstName(couriers[0].name).toUpperCase() : 'NOM';
      const items = d.order.lines.reduce((s, l) => s + l.quantity, 0);
      const text = { sms: leadNotice.newDelivery(d.order.basketNumber ?? 0, communeOf(d.address), deliveryWindow(d.order, tz), items, hint), spoken: '' };
      const notices: Notice[] = (await leads(e.groupId)).map((to) => ({ kind: e.type, role: 'lead', to, channel: 'sms', text, customerId: null, orderId: d.orderId, expectsReply: true, priority: PRIORITY.dispatch }));
      if (notices.length === 0) log.warn({ groupId: e.groupId }, 'home delivery asked but the group has no delivery lead with a phone');
      return deliver(e, notices);
    },
    'delivery.assigned': async (e) => {
      const d = await db.delivery.findUnique({ where: { id: e.payload.deliveryId }, include: { courier: true, order: { include: ORDER_INCLUDE } } });
      if (!d || !d.courier || d.courierId !== e.payload.courierId || !['assigned', 'accepted'].includes(d.status)) return deliver(e, []);
      const tz = await timeZoneOf(e.groupId);
      const o = d.order;
      const basket = o.basketNumber ?? 0;
      const notices: Notice[] = [{
        kind: e.type, role: 'courier', to: d.courier.phone, channel: 'sms', customerId: null, orderId: o.id, expectsReply: true, priority: PRIORITY.dispatch,
        text: {
          sms: courierNotice.assignment({
            basket, name: o.customer.name ?? 'client', address: d.address, notes: d.notes ?? o.customer.deliveryNotes, phone: nationalPhone(o.customer.phone),
            relay: o.distribution.relayPoint.name, when: shortWhen(o.distribution.pickupStart, o.distribution.pickupEnd, tz),
            slot: o.distribution.deliveryStart && o.distribution.deliveryEnd ? shortWhen(o.distribution.deliveryStart, o.distribution.deliveryEnd, tz) : null,
          }),
          spoken: '',
        },
      }];
      const previous = e.payload.previousCourierId ? await db.courier.findUnique({ where: { id: e.payload.previousCourierId } }) : null;
      if (previous && previous.id !== d.courier.id) {
        notices.push({ kind: e.type, role: 'courier', to: previous.phone, channel: 'sms', text: { sms: courierNotice.withdrawn(basket), spoken: '' }, customerId: null, orderId: o.id, expectsReply: false, priority: PRIORITY.dispatch });
      }
      const d0 = o.distribution;
      const residentWhen = d0.deliveryStart && d0.deliveryEnd ? pickupWhen(d0.deliveryStart, d0.deliveryEnd, tz) : pickupWhen(d0.pickupStart, d0.pickupEnd, tz);
      notices.push(...residentNotices(o.customer, residentNotice.courierComing(basket, firstName(d.courier.name), residentWhen), { kind: e.type, orderId: o.id }));
      return deliver(e, notices);
    },
    'delivery.delivered': async (e) => {
      const d = await db.delivery.findUnique({ where: { id: e.payload.deliveryId }, include: { order: { include: { customer: true } } } });
      if (!d || d.status !== 'delivered') return deliver(e, []);
      return deliver(e, residentNotices(d.order.customer, residentNotice.delivered(d.order.basketNumber ?? 0), { kind: e.type, orderId: d.orderId }));
    },
    'delivery.failed': async (e) => {
      const d = await db.delivery.findUnique({ where: { id: e.payload.deliveryId }, include: { courier: true, order: true } });
      if (!d) return deliver(e, []);
      const text = { sms: leadNotice.failed(d.order.basketNumber ?? 0, d.courier ? firstName(d.courier.name) : '?', d.failureReason ?? 'non précisée'), spoken: '' };
      return deliver(e, (await leads(e.groupId)).map((to) => ({ kind: e.type, role: 'lead', to, channel: 'sms', text, customerId: null, orderId: d.orderId, expectsReply: false, priority: PRIORITY.dispatch })));
    },
    'delivery.late': async (e) => {
      const d = await db.delivery.findUnique({ where: { id: e.payload.deliveryId }, include: { courier: true, order: true } });
      if (!d || d.status !== 'assigned' || !d.courier) return deliver(e, []);
      const text = { sms: leadNotice.notAccepted(d.order.basketNumber ?? 0, firstName(d.courier.name)), spoken: '' };
      return deliver(e, (await leads(e.groupId)).map((to) => ({ kind: e.type, role: 'lead', to, channel: 'sms', text, customerId: null, orderId: d.orderId, expectsReply: true, priority: PRIORITY.dispatch })));
    },
    'distribution.closed': async (e) => {
      const dist = await db.distribution.findUnique({ where: { id: e.payload.distributionId } });
      if (!dist) return deliver(e, []);
      const tz = await timeZoneOf(e.groupId);
      const deliveries = await db.delivery.findMany({
        where: { order: { distributionId: dist.id, status: { in: [...ACTIVE_STATUSES] } }, status: { in: ['requested', 'assigned', 'accepted'] } },
        include: { courier: true, order: { select: { basketNumber: true } } },
        orderBy: { order: { basketNumber: 'asc' } },
      });
      if (deliveries.length === 0) return deliver(e, []);
      const label = (d: (typeof deliveries)[number]) => `${d.order.basketNumber ?? '?'} ${communeOf(d.address) ?? ''}`.trim();
      const unassigned = deliveries.filter((d) => !d.courier).map(label);
      const assigned = deliveries.filter((d) => d.courier).map((d) => `${label(d)} (${firstName(d.courier!.name)})`);
      const when = dist.deliveryStart && dist.deliveryEnd ? shortWhen(dist.deliveryStart, dist.deliveryEnd, tz) : shortWhen(dist.pickupStart, dist.pickupEnd, tz);
      const text = { sms: leadNotice.digest(when, unassigned, assigned), spoken: '' };
      return deliver(e, (await leads(e.groupId)).map((to) => ({ kind: e.type, role: 'lead', to, channel: 'sms', text, customerId: null, orderId: null, expectsReply: true, priority: PRIORITY.dispatch })));
    },
    'distribution.reminder': async (e) => {
      const dist = await db.distribution.findUnique({ where: { id: e.payload.distributionId } });
      if (!dist) return deliver(e, []);
      const tz = await timeZoneOf(e.groupId);
      const lastDay = e.payload.reminder === 'last_day';
      const closes = lastDay ? DateTime.fromJSDate(dist.closesAt, { zone: tz }).toFormat("H'h'mm").replace(/h00$/, 'h') : dayAndHour(dist.closesAt, tz);
      const text = lastDay ? residentNotice.lastDay(closes) : residentNotice.ordersOpen(closes);
      const previous = await db.distribution.findMany({
        where: { groupId: e.groupId, pickupStart: { lt: dist.pickupStart }, id: { not: dist.id }, status: { not: 'cancelled' } },
        orderBy: { pickupStart: 'desc' }, take: 2, select: { id: true },
      });
      const customers = await db.customer.findMany({
        where: {
          groupId: e.groupId,
          smsOptedOut: false,
          orders: { some: { distributionId: { in: previous.map((p) => p.id) }, status: { in: [...PLACED_STATUSES] } } },
          // who has already ordered this time is not reminded
          NOT: { orders: { some: { distributionId: dist.id, status: { in: [...ACTIVE_STATUSES] } } } },
        },
      });
      const kind = lastDay ? 'reminder.last_day' : 'reminder.open';
      return deliver(e, customers.flatMap((c) => residentNotices(c, text, { kind, orderId: null, priority: PRIORITY.reminder, contact: false })));
    },
    'distribution.ready': async (e) => {
      const dist = await db.distribution.findUnique({ where: { id: e.payload.distributionId }, include: { relayPoint: true } });
      if (!dist) return deliver(e, []);
      const tz = await timeZoneOf(e.groupId);
      const orders = await db.order.findMany({ where: { distributionId: dist.id, status: { in: [...ACTIVE_STATUSES] }, fulfilment: 'pickup' }, include: { customer: true } });
      const when = pickupWhen(dist.pickupStart, dist.pickupEnd, tz);
      return deliver(e, orders.flatMap((o) => residentNotices(o.customer, residentNotice.ready(o.basketNumber ?? 0, when, dist.relayPoint.name), { kind: e.type, orderId: o.id })));
    },
    'message.retry_call': async (e) => {
      await deps.senders.retryCall(e.payload.messageId);
      return deliver(e, []);
    },
    'distribution.cancelled': async (e) => {
      const dist = await db.distribution.findUnique({ where: { id: e.payload.distributionId } });
      if (!dist || dist.status !== 'cancelled') return deliver(e, []);
      const group = await groupOf(e.groupId);
      const tz = group.timeZone;
      const orders = await db.order.findMany({ where: { id: { in: e.payload.orderIds } }, include: { customer: true, delivery: { include: { courier: true } } }, orderBy: { basketNumber: 'asc' } });
      const when = pickupWhen(dist.pickupStart, dist.pickupEnd, tz);
      const notices: Notice[] = orders.flatMap((o) =>
        residentNotices(o.customer, residentNotice.distributionCancelled(o.basketNumber ?? 0, when, group.operatorPhone ? nationalPhone(group.operatorPhone) : null), { kind: e.type, orderId: o.id, priority: PRIORITY.dispatch }),
      );
      const withDelivery = orders.filter((o) => o.delivery);
      if (withDelivery.length > 0) {
        const text = { sms: leadNotice.distributionCancelled(shortWhen(dist.pickupStart, dist.pickupEnd, tz), withDelivery.map((o) => o.basketNumber ?? 0)), spoken: '' };
        for (const to of await leads(e.groupId)) notices.push({ kind: e.type, role: 'lead', to, channel: 'sms', text, customerId: null, orderId: null, expectsReply: false, priority: PRIORITY.dispatch });
      }
      for (const o of withDelivery) {
        const courier = o.delivery?.courier;
        if (courier) notices.push({ kind: e.type, role: 'courier', to: courier.phone, channel: 'sms', text: { sms: courierNotice.withdrawn(o.basketNumber ?? 0), spoken: '' }, customerId: null, orderId: o.id, expectsReply: false, priority: PRIORITY.dispatch });
      }
      return deliver(e, notices);
    },
    'message.undeliverable': async (e) => {
      const m = await db.message.findUnique({ where: { id: e.payload.messageId } });
      if (!m) return deliver(e, []);
      const text = { sms: staffAlert.leadUnreachable(nationalPhone(m.toPhone)), spoken: '' };
      // not back to the lead whose phone is the one failing
      const to = (await coordinators(e.groupId)).filter((p) => p !== m.toPhone);
      return deliver(e, to.map((phone) => ({ kind: e.type, role: 'coordinator', to: phone, channel: 'sms', text, customerId: null, orderId: m.orderId, expectsReply: false, priority: PRIORITY.dispatch })));
    },
    // no notice: the caches hear of it (Redis down: the publish throws and the event is retried)
    'catalog.changed': async (e) => deps.catalogChanged(e.groupId),
  };
  return handlers;
}
