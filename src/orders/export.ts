import { CHANNEL_LABELS, DELIVERY_STATUS_LABELS, euroAmount, FULFILMENT_LABELS, UNIT_LABELS } from '../i18n/labels.js';
import { STATUS_LABELS } from '../i18n/sms.js';
import type { Db } from '../platform/db/client.js';
import { nationalPhone } from '../platform/phone.js';
import { spreadsheetCsv } from '../platform/spreadsheet.js';
import { basketListWhere, placedOrdersWhere } from './readModels.js';

export interface ExportedLine {
  code: number;
  name: string;
  quantity: number;
  unit: string;
  estimatedGrams: number | null;
  estimatedCents: number;
  finalCents: number | null;
}

export interface ExportedOrder {
  basketNumber: number | null;
  customerName: string | null;
  customerPhone: string;
  channel: string;
  status: string;
  fulfilment: string;
  estimatedCents: number;
  finalCents: number | null;
  paid: boolean;
  lines: ExportedLine[];
}

/**
 * The basket list of a distribution, by basket number: every order that was confirmed (a cancelled
 * one shows as cancelled with its number), never a draft. What the relay shop prints.
 */
export async function exportDistributionOrders(db: Db, distributionId: string): Promise<ExportedOrder[]> {
  const orders = await db.order.findMany({
    where: basketListWhere(distributionId),
    orderBy: [{ basketNumber: 'asc' }, { createdAt: 'asc' }],
    include: { customer: true, lines: { include: { product: { select: { code: true } } }, orderBy: { id: 'asc' } } },
  });
  return orders.map((o) => ({
    basketNumber: o.basketNumber,
    customerName: o.customer.name,
    customerPhone: o.customer.phone,
    channel: o.channel,
    status: o.status,
    fulfilment: o.fulfilment,
    estimatedCents: o.estimatedCents,
    finalCents: o.finalCents,
    paid: o.paidAt !== null,
    lines: o.lines.map((l) => ({
      code: l.product.code,
      name: l.productName,
      quantity: l.quantity,
      unit: l.unit,
      estimatedGrams: l.estimatedGrams,
      estimatedCents: l.estimatedCents,
      finalCents: l.finalCents,
    })),
  }));
}

/** What the orders of a list add up to: cancelled ones do not count. */
export function totalEstimatedCents(orders: ExportedOrder[]): number {
  return orders.filter((o) => o.status !== 'cancelled').reduce((sum, o) => sum + o.estimatedCents, 0);
}

const amount = (cents: number | null) => (cents === null ? '' : euroAmount(cents));

/** One row per order line, in French, amounts in euros with a comma: what French Excel expects. */
export function ordersToCsv(orders: ExportedOrder[]): string {
  const header = ['panier', 'habitant', 'telephone', 'canal', 'etat', 'retrait ou livraison', 'code', 'produit', 'quantite', 'unite', 'poids estime (g)', 'ligne estimee (EUR)', 'ligne finale (EUR)', 'commande estimee (EUR)', 'commande finale (EUR)', 'paye'];
  const rows = orders.flatMap((o) =>
    o.lines.map((l) => [
      o.basketNumber, o.customerName ?? '', nationalPhone(o.customerPhone), CHANNEL_LABELS[o.channel] ?? o.channel, STATUS_LABELS[o.status] ?? o.status, FULFILMENT_LABELS[o.fulfilment] ?? o.fulfilment,
      l.code, l.name, l.quantity, UNIT_LABELS[l.unit] ?? l.unit, l.estimatedGrams, amount(l.estimatedCents), amount(l.finalCents),
      amount(o.estimatedCents), amount(o.finalCents), o.paid ? 'oui' : 'non',
    ]),
  );
  return spreadsheetCsv(header, rows);
}

/** The delivery register of a distribution, for the delivery lead's spreadsheet. */
export async function deliveriesCsv(db: Db, distributionId: string): Promise<string> {
  const deliveries = await db.delivery.findMany({ where: { order: basketListWhere(distributionId) }, include: { courier: true, order: { include: { customer: true } } }, orderBy: { order: { basketNumber: 'asc' } } });
  const rows = deliveries.map((d) => [d.order.basketNumber, d.order.customer.name ?? '', nationalPhone(d.order.customer.phone), d.address, d.notes ?? d.order.customer.deliveryNotes ?? '', DELIVERY_STATUS_LABELS[d.status] ?? d.status, d.courier?.name ?? '']);
  return spreadsheetCsv(['panier', 'habitant', 'telephone', 'adresse', 'notes', 'etat', 'livreur'], rows);
}

/** What each producer sold at a distribution, product by product. */
export async function producerTotalsCsv(db: Db, distributionId: string): Promise<string> {
  const lines = await db.orderLine.findMany({ where: { order: placedOrdersWhere(distributionId) }, include: { product: { include: { producer: true } } } });
  const totals = new Map<string, { producer: string; code: number; product: string; quantity: number; cents: number }>();
  for (const l of lines) {
    const t = totals.get(l.productId) ?? { producer: l.product.producer.name, code: l.product.code, product: l.productName, quantity: 0, cents: 0 };
    t.quantity += l.quantity;
    t.cents += l.finalCents ?? l.estimatedCents;
    totals.set(l.productId, t);
  }
  const rows = [...totals.values()].sort((a, b) => a.producer.localeCompare(b.producer) || a.code - b.code).map((t) => [t.producer, t.code, t.product, t.quantity, euroAmount(t.cents)]);
  return spreadsheetCsv(['producteur', 'code', 'produit', 'quantite', 'montant (EUR)'], rows);
}
