// Orders of a distribution: filter by status, producer and pickup/delivery; cancel while allowed;
// mark collected and paid at the relay shop. The sign-off sheet prints the same list.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { staffErrorText } from '../i18n/errors.js';
import { euros, pickupWhen, STATUS_LABELS } from '../i18n/sms.js';
import { staffActor } from '../orders/actor.js';
import { basketListWhere } from '../orders/readModels.js';
import { markCollected, markPaid } from '../orders/relayShop.js';
import { isActive } from '../orders/status.js';
import type { OrderService } from '../orders/orderService.js';
import type { Db } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { nationalPhone } from '../platform/phone.js';
import { logAccess } from '../privacy/accessLog.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

const Filters = z.object({
  distribution: z.string().optional(),
  status: z.enum(['confirmed', 'ready', 'collected', 'delivered', 'cancelled', '']).optional(),
  producer: z.string().optional(),
  fulfilment: z.enum(['pickup', 'delivery', '']).optional(),
});

export function orderPages(deps: { db: Db; render: Render; orders: OrderService; now?: () => Date }) {
  const router = Router();
  const allowed = requireRole('coordinator', 'operator');
  const clock = deps.now ?? (() => new Date());

  async function distributions(groupId: string) {
    return deps.db.distribution.findMany({ where: { groupId, status: { not: 'cancelled' } }, orderBy: { pickupStart: 'desc' }, take: 12, include: { relayPoint: true } });
  }

  async function listFor(req: Request) {
    const staff = req.session.staff!;
    // a filter that is not one of ours (a hand-edited URL) is ignored, not a 500
    const parsed = Filters.safeParse(req.query);
    const f = parsed.success ? parsed.data : {};
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId } });
    const dists = await distributions(staff.groupId);
    const upcoming = [...dists].reverse().find((d) => d.status === 'scheduled' || d.status === 'closed') ?? dists[0];
    const dist = dists.find((d) => d.id === f.distribution) ?? upcoming;
    const orders = dist
      ? await deps.db.order.findMany({
          where: {
            ...basketListWhere(dist.id),
            ...(f.status ? { status: f.status } : {}),
            ...(f.fulfilment ? { fulfilment: f.fulfilment } : {}),
            ...(f.producer ? { lines: { some: { product: { producerId: f.producer } } } } : {}),
          },
          include: { customer: true, lines: { select: { variableWeight: true } } },
          orderBy: { basketNumber: 'asc' },
        })
      : [];
    const producers = await deps.db.producer.findMany({ where: { groupId: staff.groupId }, orderBy: { name: 'asc' } });
    return {
      f, group, dist, producers, customerIds: orders.map((o) => o.customerId),
      distributions: dists.map((d) => ({ id: d.id, label: `${pickupWhen(d.pickupStart, d.pickupEnd, group.timeZone)} (${d.relayPoint.name})` })),
      orders: orders.map((o) => ({
        id: o.id, basket: o.basketNumber, name: o.customer.name ?? '(sans nom)', phone: nationalPhone(o.customer.phone), status: o.status,
        statusLabel: STATUS_LABELS[o.status] ?? o.status, fulfilment: o.fulfilment === 'delivery' ? 'Livraison' : 'Retrait',
        total: o.finalCents !== null ? euros(o.finalCents) : `${o.lines.some((l) => l.variableWeight) ? 'environ ' : ''}${euros(o.estimatedCents)}`,
        paid: Boolean(o.paidAt), collected: Boolean(o.collectedAt), active: isActive(o.status),
      })),
    };
  }

  router.get('/console/orders', allowed, async (req, res) => {
    const l = await listFor(req);
    await logAccess(deps.db, req.session.staff!, l.customerIds, 'orders');
    await deps.render(req, res, 'orders', { title: 'Commandes', ...l, distributionId: l.dist?.id ?? '', distributionLabel: l.dist ? pickupWhen(l.dist.pickupStart, l.dist.pickupEnd, l.group.timeZone) : null });
  });

  /** The relay shop's sign-off list: basket, name, phone, total, paid, signature. */
  router.get('/console/orders/sheet', allowed, async (req, res) => {
    const l = await listFor(req);
    await logAccess(deps.db, req.session.staff!, l.customerIds, 'orders');
    await deps.render(req, res, 'signoffSheet', { title: 'Feuille d’émargement', ...l, distributionLabel: l.dist ? `${pickupWhen(l.dist.pickupStart, l.dist.pickupEnd, l.group.timeZone)}, ${l.dist.relayPoint.name}` : '' });
  });

  async function ownOrder(groupId: string, id: string) {
    const order = await deps.db.order.findFirst({ where: { id, groupId } });
    if (!order) throw new NotFoundError('order');
    return order;
  }

  router.get('/console/orders/:id', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId } });
    const o = await deps.db.order.findFirst({
      where: { id: String(req.params.id), groupId: staff.groupId },
      include: { customer: true, lines: { include: { product: { select: { code: true } } } }, delivery: { include: { courier: true } }, distribution: { include: { relayPoint: true } }, enteredBy: { select: { name: true } } },
    });
    if (!o) throw new NotFoundError('order');
    const CHANNELS = { sms: 'SMS', voice: 'téléphone (menu vocal)', operator: 'standard' } as const;
    await logAccess(deps.db, staff, [o.customerId], 'order');
    await deps.render(req, res, 'order', {
      title: `Panier ${o.basketNumber ?? ''}`,
      o: {
        id: o.id, basket: o.basketNumber, status: o.status, statusLabel: STATUS_LABELS[o.status] ?? o.status, active: isActive(o.status),
        customer: o.customer.name ?? '(sans nom)', phone: nationalPhone(o.customer.phone), channel: CHANNELS[o.channel], enteredBy: o.enteredBy?.name ?? null,
        pickup: `${pickupWhen(o.distribution.pickupStart, o.distribution.pickupEnd, group.timeZone)}, ${o.distribution.relayPoint.name}`,
        delivery: o.delivery ? { address: o.delivery.address, courier: o.delivery.courier?.name ?? null } : null, notes: o.notes,
        total: o.finalCents !== null ? euros(o.finalCents) : `environ ${euros(o.estimatedCents)}`, final: o.finalCents !== null, paid: Boolean(o.paidAt),
        lines: o.lines.map((l) => ({
          code: l.product.code, name: l.productName, quantity: l.quantity, grams: l.estimatedGrams, real: l.realWeightsGrams.join(' + '),
          price: l.finalCents !== null ? euros(l.finalCents) : `${l.variableWeight ? 'environ ' : ''}${euros(l.estimatedCents)}`,
        })),
      },
    });
  });

  router.post('/console/orders/:id/cancel', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const order = await ownOrder(staff.groupId, String(req.params.id));
    try {
      await deps.orders.cancelOrder(order.id, { enforceWindow: false, actorId: staff.staffId });
      req.session.flash = `Panier ${order.basketNumber} annulé. L’habitant est prévenu.`;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      req.session.flash = `Panier ${order.basketNumber} : ${staffErrorText(err)}`;
    }
    res.redirect(303, `/console/orders?distribution=${order.distributionId}`);
  });

  router.post('/console/orders/:id/collected', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const order = await ownOrder(staff.groupId, String(req.params.id));
    const paid = (req.body as Record<string, unknown>).paid === '1';
    try {
      await deps.db.$transaction((tx) => markCollected(tx, { groupId: staff.groupId, orderId: order.id }, { paid }, staffActor(staff.staffId), clock()));
      req.session.flash = `Panier ${order.basketNumber} retiré${paid ? ' et payé' : ''}.`;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      req.session.flash = `Le panier ${order.basketNumber} n’est pas à retirer.`;
    }
    res.redirect(303, `/console/orders?distribution=${order.distributionId}`);
  });

  router.post('/console/orders/:id/paid', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const order = await ownOrder(staff.groupId, String(req.params.id));
    try {
      await deps.db.$transaction((tx) => markPaid(tx, { groupId: staff.groupId, orderId: order.id }, staffActor(staff.staffId), clock()));
      req.session.flash = `Panier ${order.basketNumber} payé.`;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      req.session.flash = `Panier ${order.basketNumber} : ${staffErrorText(err)}`;
    }
    res.redirect(303, `/console/orders?distribution=${order.distributionId}`);
  });

  return router;
}
