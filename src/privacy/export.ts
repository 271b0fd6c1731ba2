// Everything the service keeps about one resident, for their right of access (RGPD art. 15): as
// JSON, and as a printable page in French. Reading it is itself written to the access log.
import type { Tx } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import type { Actor } from './erasure.js';

export interface ResidentExport {
  exportedAt: string;
  group: { name: string; timeZone: string };
  resident: {
    id: string; name: string | null; phone: string; address: string | null; deliveryNotes: string | null; notes: string | null;
    lineType: string; preferredChannel: string; deliveryByDefault: boolean; smsOptedOut: boolean; createdAt: string;
    privacyNoticeAt: string | null; anonymisedAt: string | null;
  };
  carer: { name: string | null; phone: string; reason: string | null; addedBy: string | null; addedAt: string | null; toldAt: string | null } | null;
  orders: {
    basketNumber: number | null; status: string; channel: string; fulfilment: string; createdAt: string; pickupStart: string; relayPoint: string;
    estimatedCents: number; finalCents: number | null; lines: { productName: string; quantity: number; unit: string; estimatedCents: number; finalCents: number | null }[];
    delivery: { address: string; status: string; courier: string | null; deliveredAt: string | null } | null;
  }[];
  messages: { at: string; direction: string; channel: string; body: string; erased: boolean }[];
  recordings: { at: string; seconds: number | null; deleted: boolean }[];
  tasks: { at: string; kind: string; status: string; doneAt: string | null }[];
  accesses: { at: string; staff: string; role: string; page: string }[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function exportResident(tx: Tx, input: { groupId: string; customerId: string; now: Date }, actor: Actor & { staffId: string }): Promise<ResidentExport> {
  const c = await tx.customer.findFirst({ where: { id: input.customerId, groupId: input.groupId }, include: { group: { select: { name: true, timeZone: true } } } });
  if (!c) throw new NotFoundError('customer');
  const [orders, messages, tasks, accesses] = await Promise.all([
    tx.order.findMany({
      where: { customerId: c.id, status: { not: 'draft' } },
      orderBy: { createdAt: 'asc' },
      include: { lines: true, distribution: { include: { relayPoint: { select: { name: true } } } }, delivery: { include: { courier: { select: { name: true } } } } },
    }),
    tx.message.findMany({
      where: { groupId: c.groupId, OR: [{ customerId: c.id }, { fromPhone: c.phone }, { toPhone: c.phone }], recipientRole: { in: ['resident', 'contact'] } },
      orderBy: { createdAt: 'asc' },
    }),
    tx.callTask.findMany({ where: { groupId: c.groupId, OR: [{ customerId: c.id }, { callerPhone: c.phone }] }, orderBy: { createdAt: 'asc' } }),
    tx.accessLogEntry.findMany({ where: { customerId: c.id }, orderBy: { at: 'asc' } }),
  ]);
  // replies of the conversation carry no recipientRole: theirs too
  const replies = await tx.message.findMany({ where: { groupId: c.groupId, customerId: c.id, recipientRole: null }, orderBy: { createdAt: 'asc' } });
  const allMessages = [...new Map([...messages, ...replies].map((m) => [m.id, m])).values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const staffIds = [...new Set([...accesses.map((a) => a.staffId), ...(c.secondaryContactAddedById ? [c.secondaryContactAddedById] : [])])];
  const staff = new Map((await tx.staffUser.findMany({ where: { id: { in: staffIds } }, select: { id: true, name: true, role: true } })).map((s) => [s.id, s]));

  await tx.accessLogEntry.create({ data: { groupId: c.groupId, staffId: actor.staffId, customerId: c.id, page: 'export', at: input.now } });
  await tx.auditEvent.create({ data: { groupId: c.groupId, actorId: actor.staffId, actorKind: 'staff', action: 'privacy.exported', entityType: 'Customer', entityId: c.id } });

  return {
    exportedAt: input.now.toISOString(),
    group: c.group,
    resident: {
      id: c.id, name: c.name, phone: c.phone, address: c.address, deliveryNotes: c.deliveryNotes, notes: c.notes, lineType: c.lineType,
      preferredChannel: c.preferredChannel, deliveryByDefault: c.deliveryByDefault, smsOptedOut: c.smsOptedOut, createdAt: c.createdAt.toISOString(),
      privacyNoticeAt: iso(c.privacyNoticeAt), anonymisedAt: iso(c.anonymisedAt),
    },
    carer: c.secondaryContactPhone
      ? {
          name: c.secondaryContactName, phone: c.secondaryContactPhone, reason: c.secondaryContactReason,
          addedBy: c.secondaryContactAddedById ? (staff.get(c.secondaryContactAddedById)?.name ?? null) : null,
          addedAt: iso(c.secondaryContactAddedAt), toldAt: iso(c.secondaryContactToldAt),
        }
      : null,
    orders: orders.map((o) => ({
      basketNumber: o.basketNumber, status: o.status, channel: o.channel, fulfilment: o.fulfilment, createdAt: o.createdAt.toISOString(),
      pickupStart: o.distribution.pickupStart.toISOString(), relayPoint: o.distribution.relayPoint.name, estimatedCents: o.estimatedCents, finalCents: o.finalCents,
      lines: o.lines.map((l) => ({ productName: l.productName, quantity: l.quantity, unit: l.unit, estimatedCents: l.estimatedCents, finalCents: l.finalCents })),
      delivery: o.delivery ? { address: o.delivery.address, status: o.delivery.status, courier: o.delivery.courier?.name ?? null, deliveredAt: iso(o.delivery.deliveredAt) } : null,
    })),
    messages: allMessages.map((m) => ({ at: m.createdAt.toISOString(), direction: m.direction, channel: m.channel, body: m.body, erased: Boolean(m.bodyErasedAt) })),
    recordings: tasks
      .filter((t) => t.recordingSid || t.recordingDeletedAt)
      .map((t) => ({ at: t.createdAt.toISOString(), seconds: t.recordingSeconds, deleted: Boolean(t.recordingDeletedAt) })),
    tasks: tasks.map((t) => ({ at: t.createdAt.toISOString(), kind: t.kind, status: t.status, doneAt: iso(t.doneAt) })),
    accesses: accesses.map((a) => ({ at: a.at.toISOString(), staff: staff.get(a.staffId)?.name ?? 'compte supprimé', role: staff.get(a.staffId)?.role ?? '', page: a.page })),
  };
}
