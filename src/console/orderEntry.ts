// Phone order entry, for the operator with a resident on the line: pick or create the customer,
// add products by code with quantities, see the estimated total, pickup or delivery, confirm —
// through the same order service as SMS and voice. Works without JavaScript ("Calculer").
import { Router } from 'express';
import { z } from 'zod';
import { openAndNextDistribution } from '../catalog/distributions.js';
import { estimateLine, isWeighed } from '../catalog/pricing.js';
import { euros, pickupWhen, unitPriceLabel } from '../i18n/sms.js';
import { staffActor } from '../orders/actor.js';
import { completeCallTask } from '../orders/callTasks.js';
import { upsertCustomer } from '../orders/customers.js';
import type { OrderService } from '../orders/orderService.js';
import type { Db } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { staffErrorText } from '../i18n/errors.js';
import { nationalPhone } from '../platform/phone.js';
import { logAccess } from '../privacy/accessLog.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

export const ORDER_ROWS = 8;

const Row = z.object({ code: z.string().trim().max(10).optional(), quantity: z.string().trim().max(6).optional(), grams: z.string().trim().max(6).optional() });
const OrderForm = z.object({
  customerId: z.string().optional(),
  taskId: z.string().optional(),
  name: z.string().trim().max(120).optional(),
  phone: z.string().trim().max(30).optional(),
  address: z.string().trim().max(300).optional(),
  fulfilment: z.enum(['pickup', 'delivery']).default('pickup'),
  notes: z.string().trim().max(500).optional(),
  action: z.enum(['preview', 'confirm']).default('preview'),
  rows: z.array(Row).max(40).default([]),
});
type OrderFormData = z.infer<typeof OrderForm>;

/** Rows from the form body (code_0, quantity_0, grams_0 …). Pure. */
export function rowsOf(body: Record<string, unknown>): z.infer<typeof Row>[] {
  const rows = [];
  for (let i = 0; i < 40; i++) {
    if (!(`code_${i}` in body)) break;
    rows.push({ code: String(body[`code_${i}`] ?? ''), quantity: String(body[`quantity_${i}`] ?? ''), grams: String(body[`grams_${i}`] ?? '') });
  }
  return rows;
}

export function orderEntryPages(deps: { db: Db; render: Render; orders: OrderService; now?: () => Date }) {
  const router = Router();
  const allowed = requireRole('coordinator', 'operator');
  const clock = deps.now ?? (() => new Date());

  async function catalogOf(groupId: string) {
    const products = await deps.db.product.findMany({ where: { groupId, active: true }, orderBy: { code: 'asc' } });
    return { list: products, byCode: new Map(products.map((p) => [String(p.code), p])) };
  }

  /** Reads the rows against the catalogue: lines to order, the estimated total, and what is wrong. */
  function readRows(form: OrderFormData, catalog: Awaited<ReturnType<typeof catalogOf>>) {
    const problems: string[] = [];
    const lines: { productId: string; quantity: number; requestedGrams: number | null }[] = [];
    const shown = [];
    let total = 0;
    let estimated = false;
    for (const [i, r] of form.rows.entries()) {
      const code = r.code ?? '';
      if (!code && !r.quantity) {
        shown.push({ code: '', quantity: '', grams: '', label: '', price: '' });
        continue;
      }
      const p = catalog.byCode.get(code);
      const quantity = Number(r.quantity || '1');
      const grams = r.grams ? Number(r.grams) : null;
      if (!p) problems.push(`Ligne ${i + 1} : pas de produit ${code}.`);
      else if (!Number.isInteger(quantity) || quantity <= 0) problems.push(`Ligne ${i + 1} : la quantité doit être un nombre entier.`);
      else if (grams !== null && (!Number.isInteger(grams) || grams <= 0)) problems.push(`Ligne ${i + 1} : le poids est en grammes.`);
      let label = '';
      let price = '';
      if (p && Number.isInteger(quantity) && quantity > 0) {
        const line = { quantity, requestedGrams: grams };
        const e = estimateLine(p, line);
        total += e.estimatedCents;
        estimated ||= p.variableWeight || p.multiWeigh;
        lines.push({ productId: p.id, quantity, requestedGrams: grams });
        label = p.name;
        price = `${p.variableWeight || p.multiWeigh ? 'environ ' : ''}${euros(e.estimatedCents)}`;
      }
      shown.push({ code, quantity: r.quantity ?? '', grams: r.grams ?? '', label, price });
    }
    while (shown.length < ORDER_ROWS) shown.push({ code: '', quantity: '', grams: '', label: '', price: '' });
    return { lines, problems, shown, total: lines.length ? `${estimated ? 'environ ' : ''}${euros(total)}` : '' };
  }

  async function show(req: import('express').Request, res: import('express').Response, form: OrderFormData, extra: { problems?: string[] } = {}, status = 200) {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId } });
    const catalog = await catalogOf(staff.groupId);
    const { open } = await openAndNextDistribution(deps.db, staff.groupId, clock());
    const customer = form.customerId ? await deps.db.customer.findFirst({ where: { id: form.customerId, groupId: staff.groupId } }) : null;
    const read = readRows(form, catalog);
    if (customer) await logAccess(deps.db, staff, [customer.id], 'orderEntry');
    await deps.render(req, res, 'orderEntry', {
      title: 'Commande par téléphone',
      form,
      customer: customer ? { id: customer.id, name: customer.name, phone: nationalPhone(customer.phone), address: customer.address, deliveryByDefault: customer.deliveryByDefault } : null,
      distribution: open ? `${pickupWhen(open.pickupStart, open.pickupEnd, group.timeZone)}, ${open.relayPoint.name}` : null,
      products: catalog.list.map((p) => ({ code: p.code, name: p.name, price: unitPriceLabel(p.priceCents, p.unit), weighed: isWeighed(p) })),
      rows: read.shown,
      total: read.total,
      problems: [...(extra.problems ?? []), ...(form.action === 'preview' ? [] : read.problems)],
    }, status);
  }

  router.get('/console/orders/new', allowed, async (req, res) => {
    const customerId = typeof req.query.customerId === 'string' ? req.query.customerId : undefined;
    const taskId = typeof req.query.taskId === 'string' ? req.query.taskId : undefined;
    await show(req, res, { customerId, taskId, fulfilment: 'pickup', action: 'preview', rows: [] });
  });

  router.post('/console/orders/new', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const body = req.body as Record<string, unknown>;
    const parsed = OrderForm.safeParse({ ...body, rows: rowsOf(body) });
    if (!parsed.success) return show(req, res, { fulfilment: 'pickup', action: 'preview', rows: [] }, { problems: ['Formulaire incomplet.'] }, 400);
    const form = parsed.data;
    if (form.action === 'preview') return show(req, res, form);

    const catalog = await catalogOf(staff.groupId);
    const read = readRows(form, catalog);
    const problems = [...read.problems];
    if (read.lines.length === 0) problems.push('Ajoutez au moins un produit.');
    if (!form.customerId && !form.phone) problems.push('Choisissez un habitant ou donnez son numéro.');
    if (form.fulfilment === 'delivery' && !form.address && !form.customerId) problems.push('Donnez l’adresse de livraison.');
    const { open } = await openAndNextDistribution(deps.db, staff.groupId, clock());
    if (!open) problems.push('Aucune distribution ne prend de commandes en ce moment.');
    if (problems.length) return show(req, res, form, { problems }, 400);

    try {
      const placed = await deps.db.$transaction(async (tx) => {
        const customer = form.customerId
          ? await tx.customer.findFirst({ where: { id: form.customerId, groupId: staff.groupId } })
          : await upsertCustomer(tx, { groupId: staff.groupId, phone: form.phone!, name: form.name || undefined, address: form.address || undefined });
        if (!customer) throw new NotFoundError('customer');
        const order = await deps.orders.placeOrder(
          { groupId: staff.groupId, customerId: customer.id, distributionId: open!.id, channel: 'operator', confirm: true, lines: read.lines, notes: form.notes || undefined, enteredById: staff.staffId },
          tx,
        );
        if (form.fulfilment === 'delivery') {
          const address = form.address || customer.address;
          if (!address) throw new AppError('no address', 'no_address', 400);
          await deps.orders.requestDelivery(order.id, address, form.notes || undefined, tx);
        }
        // the task this order came from is done
        if (form.taskId) await completeCallTask(tx, { groupId: staff.groupId, taskId: form.taskId }, { orderId: order.id }, staffActor(staff.staffId), clock());
        return order;
      }, { maxWait: 10_000, timeout: 20_000 });
      req.session.flash = `Commande enregistrée : panier ${placed.basketNumber}. L’habitant reçoit la confirmation.`;
      res.redirect(303, '/console/orders/new');
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'not_found') throw err;
      return show(req, res, form, { problems: [staffErrorText(err)] }, err.status);
    }
  });

  return router;
}
