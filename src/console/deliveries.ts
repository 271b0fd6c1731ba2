// The delivery register: upcoming home deliveries, their courier, assigned here with the same
// service as the delivery lead's SMS command.
import { Router } from 'express';
import { z } from 'zod';
import { shortWhen } from '../i18n/notices.js';
import { assignCourier, isOpenDelivery } from '../orders/deliveries.js';
import type { Db } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import { nationalPhone } from '../platform/phone.js';
import { logAccess } from '../privacy/accessLog.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';
import { DELIVERY_STATUS_LABELS } from '../i18n/labels.js';

const STATUS_LABELS = DELIVERY_STATUS_LABELS;

const AssignForm = z.object({ courierId: z.uuid() });

export function deliveryPages(deps: { db: Db; render: Render; now?: () => Date }) {
  const router = Router();
  const allowed = requireRole('coordinator', 'operator', 'delivery_lead');
  const clock = deps.now ?? (() => new Date());

  router.get('/console/deliveries', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId }, select: { timeZone: true } });
    const [deliveries, couriers] = await Promise.all([
      deps.db.delivery.findMany({
        where: { groupId: staff.groupId, order: { distribution: { status: { in: ['scheduled', 'closed'] } } } },
        include: { courier: true, order: { include: { customer: true, distribution: true } } },
        orderBy: [{ order: { distribution: { pickupStart: 'asc' } } }, { order: { basketNumber: 'asc' } }],
      }),
      deps.db.courier.findMany({ where: { groupId: staff.groupId, active: true }, orderBy: { name: 'asc' } }),
    ]);
    await logAccess(deps.db, staff, deliveries.map((d) => d.order.customerId), 'deliveries');
    await deps.render(req, res, 'deliveries', {
      title: 'Registre des livraisons',
      couriers: couriers.map((c) => ({ id: c.id, name: c.name })),
      deliveries: deliveries.map((d) => {
        const dist = d.order.distribution;
        return {
          id: d.id, basket: d.order.basketNumber, address: d.address, notes: d.notes ?? d.order.customer.deliveryNotes,
          resident: d.order.customer.name ?? '(sans nom)', phone: nationalPhone(d.order.customer.phone),
          when: shortWhen(dist.deliveryStart ?? dist.pickupStart, dist.deliveryEnd ?? dist.pickupEnd, group.timeZone),
          statusLabel: STATUS_LABELS[d.status] ?? d.status, open: isOpenDelivery(d.status), courierId: d.courierId, courier: d.courier?.name ?? null,
        };
      }),
    });
  });

  router.post('/console/deliveries/:id/assign', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const form = AssignForm.safeParse(req.body);
    if (!form.success) {
      req.session.flash = 'Choisissez un livreur.';
      return res.redirect(303, '/console/deliveries');
    }
    const outcome = await deps.db.$transaction(async (tx) => {
      const delivery = await tx.delivery.findFirst({ where: { id: String(req.params.id), groupId: staff.groupId } });
      const courier = await tx.courier.findFirst({ where: { id: form.data.courierId, groupId: staff.groupId, active: true } });
      if (!delivery || !courier) throw new NotFoundError('delivery or courier');
      return { result: await assignCourier(tx, delivery.id, courier.id, clock(), { staffId: staff.staffId }), courier: courier.name };
    });
    req.session.flash = outcome.result === 'assigned' ? `Attribuée à ${outcome.courier} : il ou elle reçoit un SMS.` : outcome.result === 'unchanged' ? 'Déjà attribuée à ce livreur.' : 'Cette livraison est terminée.';
    res.redirect(303, '/console/deliveries');
  });

  return router;
}
