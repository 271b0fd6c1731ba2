// Printable sheets and exports: each producer's preparation list (what to bring, per customer for
// weighed goods), the catalogue sheet for letterboxes (codes, prices, how to call or text), and
// CSV exports for Excel. A producer sees only their own list, with basket numbers, never addresses.
import { Router, type Request } from 'express';
import { dayAndHour, pickupWhen, unitPriceLabel } from '../i18n/sms.js';
import { sheetInstructions } from '../i18n/voice.js';
import { deliveriesCsv, exportDistributionOrders, ordersToCsv, producerTotalsCsv } from '../orders/export.js';
import { placedOrdersWhere } from '../orders/readModels.js';
import type { Db } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import { nationalPhone } from '../platform/phone.js';
import { BOM } from '../platform/spreadsheet.js';
import { logAccess } from '../privacy/accessLog.js';
import { printedPrivacyNotice } from '../privacy/notice.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';
import { CODE_KEYS } from '../voice/menu.js';


export function sheetPages(deps: { db: Db; render: Render }) {
  const router = Router();

  async function distributionOf(req: Request) {
    const groupId = req.session.staff!.groupId;
    const id = typeof req.query.distribution === 'string' ? req.query.distribution : '';
    const dist = id
      ? await deps.db.distribution.findFirst({ where: { id, groupId }, include: { relayPoint: true, group: true } })
      : await deps.db.distribution.findFirst({ where: { groupId, status: { in: ['scheduled', 'closed'] } }, orderBy: { pickupStart: 'asc' }, include: { relayPoint: true, group: true } });
    if (!dist) throw new NotFoundError('distribution');
    return dist;
  }

  /** What each producer brings: totals per product, and each weighed line by basket. */
  async function preparation(distributionId: string, producerId?: string) {
    const lines = await deps.db.orderLine.findMany({
      where: { order: placedOrdersWhere(distributionId), ...(producerId ? { product: { producerId } } : {}) },
      include: { product: { include: { producer: true } }, order: { select: { basketNumber: true } } },
      orderBy: [{ product: { code: 'asc' } }, { order: { basketNumber: 'asc' } }],
    });
    const producers = new Map<string, { name: string; products: Map<string, { code: number; name: string; quantity: number; grams: number; weighed: { basket: number | null; quantity: number; grams: number | null }[] }> }>();
    for (const l of lines) {
      const p = producers.get(l.product.producerId) ?? { name: l.product.producer.name, products: new Map() };
      const item = p.products.get(l.productId) ?? { code: l.product.code, name: l.productName, quantity: 0, grams: 0, weighed: [] };
      item.quantity += l.quantity;
      item.grams += l.estimatedGrams ?? 0;
      if (l.variableWeight) item.weighed.push({ basket: l.order.basketNumber, quantity: l.quantity, grams: l.estimatedGrams });
      p.products.set(l.productId, item);
      producers.set(l.product.producerId, p);
    }
    return [...producers.values()].map((p) => ({ name: p.name, products: [...p.products.values()] }));
  }

  router.get('/console/sheets/preparation', requireRole('coordinator', 'operator', 'producer'), async (req, res) => {
    const staff = req.session.staff!;
    const dist = await distributionOf(req);
    // a producer's own list only
    const producerId = staff.role === 'producer' ? (staff.producerId ?? 'none') : undefined;
    await deps.render(req, res, 'preparation', {
      title: 'Listes de préparation',
      distributionLabel: `${pickupWhen(dist.pickupStart, dist.pickupEnd, dist.group.timeZone)}, ${dist.relayPoint.name}`,
      producers: await preparation(dist.id, producerId),
    });
  });

  router.get('/console/sheets/catalogue', requireRole('coordinator', 'operator'), async (req, res) => {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId }, include: { numbers: { orderBy: { createdAt: 'asc' }, take: 1 } } });
    const dist = await deps.db.distribution.findFirst({ where: { groupId: staff.groupId, status: 'scheduled' }, orderBy: { opensAt: 'asc' }, include: { relayPoint: true } });
    const products = await deps.db.product.findMany({ where: { groupId: staff.groupId, active: true }, orderBy: [{ category: 'asc' }, { code: 'asc' }] });
    const categories = new Map<string, { code: number; name: string; price: string }[]>();
    for (const p of products) {
      categories.set(p.category, [...(categories.get(p.category) ?? []), { code: p.code, name: p.name, price: unitPriceLabel(p.priceCents, p.unit) }]);
    }
    await deps.render(req, res, 'catalogueSheet', {
      title: 'Feuille catalogue',
      number: group.numbers[0] ? nationalPhone(group.numbers[0].phone) : '',
      distribution: dist ? { closes: dayAndHour(dist.closesAt, group.timeZone), pickup: pickupWhen(dist.pickupStart, dist.pickupEnd, group.timeZone), relay: dist.relayPoint.name } : null,
      categories: [...categories.entries()].map(([name, items]) => ({ name, items })),
      phoneInstructions: sheetInstructions(CODE_KEYS),
      privacyNotice: await printedPrivacyNotice(deps.db, { id: group.id, name: group.name, operatorPhone: group.operatorPhone }),
    });
  });

  const csv = (res: import('express').Response, name: string, body: string) =>
    res.status(200).type('text/csv; charset=utf-8').set('content-disposition', `attachment; filename="${name}"`).send(body.startsWith(BOM) ? body : BOM + body);

  router.get('/console/exports/orders.csv', requireRole('coordinator', 'operator'), async (req, res) => {
    const dist = await distributionOf(req);
    const orders = await exportDistributionOrders(deps.db, dist.id);
    const shown = await deps.db.order.findMany({ where: placedOrdersWhere(dist.id), select: { customerId: true } });
    await logAccess(deps.db, req.session.staff!, shown.map((o) => o.customerId), 'ordersCsv');
    csv(res, `commandes-${dist.pickupStart.toISOString().slice(0, 10)}.csv`, ordersToCsv(orders));
  });

  router.get('/console/exports/deliveries.csv', requireRole('coordinator', 'operator', 'delivery_lead'), async (req, res) => {
    const dist = await distributionOf(req);
    const shown = await deps.db.delivery.findMany({ where: { order: { distributionId: dist.id } }, select: { order: { select: { customerId: true } } } });
    await logAccess(deps.db, req.session.staff!, shown.map((d) => d.order.customerId), 'deliveriesCsv');
    csv(res, `livraisons-${dist.pickupStart.toISOString().slice(0, 10)}.csv`, await deliveriesCsv(deps.db, dist.id));
  });

  router.get('/console/exports/producers.csv', requireRole('coordinator', 'operator'), async (req, res) => {
    const dist = await distributionOf(req);
    csv(res, `producteurs-${dist.pickupStart.toISOString().slice(0, 10)}.csv`, await producerTotalsCsv(deps.db, dist.id));
  });

  return router;
}
