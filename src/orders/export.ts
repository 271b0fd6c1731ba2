import { stringify } from 'csv-stringify/sync';
import type { Db } from '../platform/db/client.js';

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

/** Every order of a distribution (drafts aside), by basket number: what the relay shop prints. */
export async function exportDistributionOrders(db: Db, distributionId: string): Promise<ExportedOrder[]> {
  const orders = await db.order.findMany({
    where: { distributionId, status: { not: 'draft' } },
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

/** One row per order line, `;`-separated with a BOM so French Excel opens it as is. */
export function ordersToCsv(orders: ExportedOrder[]): string {
  const header = ['basket', 'customer', 'phone', 'channel', 'status', 'fulfilment', 'code', 'product', 'quantity', 'unit', 'estimated_g', 'line_estimated_cents', 'line_final_cents', 'order_estimated_cents', 'order_final_cents', 'paid'];
  const rows = orders.flatMap((o) =>
    o.lines.map((l) => [
      o.basketNumber ?? '', o.customerName ?? '', o.customerPhone, o.channel, o.status, o.fulfilment,
      l.code, l.name, l.quantity, l.unit, l.estimatedGrams ?? '', l.estimatedCents, l.finalCents ?? '',
      o.estimatedCents, o.finalCents ?? '', o.paid ? 'oui' : 'non',
    ]),
  );
  return '\uFEFF' + stringify([header, ...rows], { delimiter: ';' });
}
