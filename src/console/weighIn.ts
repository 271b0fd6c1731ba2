// The weigh-in ("pesée"): every variable-weight line of a distribution, grouped by producer, real
// weights typed in fast (one per piece for chickens and the like); saving gives final prices and
// sends them to residents through the notification pipeline.
import { Router } from 'express';
import { euros, pickupWhen } from '../i18n/sms.js';
import { recordWeighIn, type LineWeights } from '../orders/weighIn.js';
import type { Db } from '../platform/db/client.js';
import { AppError } from '../platform/errors.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

/** Weights typed for each line: "w_<lineId>_<piece>" = grams (empty: not weighed yet). Pure. */
export function weightsOf(body: Record<string, unknown>): Map<string, number[]> {
  const byLine = new Map<string, { piece: number; grams: number }[]>();
  for (const [key, value] of Object.entries(body)) {
    const m = /^w_([0-9a-f-]{36})_(\d{1,3})$/.exec(key);
    const text = String(value ?? '').trim().replace(',', '.');
    if (!m || text === '') continue;
    // typed in grams ("1250") or in kilos with a decimal point ("1.25")
    const grams = text.includes('.') ? Math.round(Number(text) * 1000) : Number(text);
    if (!Number.isFinite(grams)) continue;
    const list = byLine.get(m[1]!) ?? [];
    list.push({ piece: Number(m[2]), grams });
    byLine.set(m[1]!, list);
  }
  return new Map([...byLine].map(([line, pieces]) => [line, pieces.sort((a, b) => a.piece - b.piece).map((p) => p.grams)]));
}

export function weighInPages(deps: { db: Db; render: Render }) {
  const router = Router();
  const allowed = requireRole('coordinator', 'operator');

  async function distributionOf(groupId: string, id: unknown) {
    return typeof id === 'string' && id
      ? deps.db.distribution.findFirst({ where: { id, groupId } })
      : deps.db.distribution.findFirst({ where: { groupId, status: { in: ['scheduled', 'closed'] } }, orderBy: { pickupStart: 'asc' } });
  }

  router.get('/console/weigh', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId } });
    const dist = await distributionOf(staff.groupId, req.query.distribution);
    const lines = dist
      ? await deps.db.orderLine.findMany({
          where: { variableWeight: true, order: { distributionId: dist.id, status: { in: ['confirmed', 'ready', 'collected', 'delivered'] } } },
          include: { product: { include: { producer: true } }, order: { include: { customer: { select: { name: true } } } } },
          orderBy: [{ product: { producer: { name: 'asc' } } }, { product: { code: 'asc' } }, { order: { basketNumber: 'asc' } }],
        })
      : [];
    const producers = new Map<string, { name: string; lines: unknown[] }>();
    for (const l of lines) {
      const p = producers.get(l.product.producerId) ?? { name: l.product.producer.name, lines: [] };
      const pieces = l.product.multiWeigh ? l.quantity : 1;
      p.lines.push({
        id: l.id, basket: l.order.basketNumber, customer: l.order.customer.name ?? '', product: l.productName,
        asked: l.estimatedGrams ? `${l.product.multiWeigh ? `${l.quantity} × ` : ''}environ ${l.product.multiWeigh && l.quantity ? Math.round(l.estimatedGrams / l.quantity) : l.estimatedGrams} g` : `${l.quantity}`,
        pieces: Array.from({ length: pieces }, (_, i) => l.realWeightsGrams[i] ?? ''),
        final: l.finalCents === null ? '' : euros(l.finalCents),
      });
      producers.set(l.product.producerId, p);
    }
    await deps.render(req, res, 'weighIn', {
      title: 'Pesée',
      distribution: dist ? { id: dist.id, label: pickupWhen(dist.pickupStart, dist.pickupEnd, group.timeZone) } : null,
      producers: [...producers.values()],
    });
  });

  router.post('/console/weigh', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const body = req.body as Record<string, unknown>;
    const dist = await distributionOf(staff.groupId, body.distribution);
    if (!dist) return res.redirect(303, '/console/weigh');
    const weights = weightsOf(body);
    const lines = await deps.db.orderLine.findMany({ where: { id: { in: [...weights.keys()] }, order: { distributionId: dist.id } }, select: { id: true, orderId: true } });
    const byOrder = new Map<string, LineWeights[]>();
    for (const l of lines) byOrder.set(l.orderId, [...(byOrder.get(l.orderId) ?? []), { lineId: l.id, grams: weights.get(l.id)! }]);
    const problems: string[] = [];
    let finals = 0;
    for (const [orderId, w] of byOrder) {
      try {
        // one order at a time: a mistake on one line does not lose the others
        const r = await deps.db.$transaction((tx) => recordWeighIn(tx, orderId, w, { staffId: staff.staffId }));
        if (r.finalCents !== null) finals++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        problems.push(err.message.includes('weights') ? 'Un produit pesé pièce par pièce attend un poids par pièce.' : 'Un poids n’a pas pu être enregistré.');
      }
    }
    req.session.flash = problems.length ? `${problems.join(' ')} Le reste est enregistré.` : `Pesée enregistrée. ${finals} panier${finals > 1 ? 's' : ''} au prix final.`;
    res.redirect(303, `/console/weigh?distribution=${dist.id}`);
  });

  return router;
}
