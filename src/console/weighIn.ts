// The weigh-in ("pesée"): every variable-weight line of a distribution, grouped by producer, real
// weights typed in fast (one per piece for chickens and the like); saving gives final prices and
// sends them to residents through the notification pipeline.
import { Router, type Request, type Response } from 'express';
import { staffErrorText } from '../i18n/errors.js';
import { staffActor } from '../orders/actor.js';
import { placedOrdersWhere } from '../orders/readModels.js';
import { euros, pickupWhen } from '../i18n/sms.js';
import { closeWeighIn, recordWeighIn, type LineWeights } from '../orders/weighIn.js';
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
    // unreadable: kept as NaN so the weigh-in refuses it rather than silently skipping it
    if (Number.isNaN(grams) && !/\d/.test(text)) continue;
    const list = byLine.get(m[1]!) ?? [];
    list.push({ piece: Number(m[2]), grams });
    byLine.set(m[1]!, list);
  }
  return new Map([...byLine].map(([line, pieces]) => [line, pieces.sort((a, b) => a.piece - b.piece).map((p) => p.grams)]));
}

export function weighInPages(deps: { db: Db; render: Render; now?: () => Date }) {
  const router = Router();
  const allowed = requireRole('coordinator', 'operator');
  const clock = deps.now ?? (() => new Date());

  async function distributionOf(groupId: string, id: unknown) {
    return typeof id === 'string' && id
      ? deps.db.distribution.findFirst({ where: { id, groupId } })
      : deps.db.distribution.findFirst({ where: { groupId, status: { in: ['scheduled', 'closed'] } }, orderBy: { pickupStart: 'asc' } });
  }

  /** The page; after a refused save, the weights as typed and what to fix or confirm. */
  async function page(req: Request, res: Response, distributionId: unknown, refused: { problems: string[]; unusual: string[]; typed: Map<string, number[]> } | null = null) {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId } });
    const dist = await distributionOf(staff.groupId, distributionId);
    const lines = dist
      ? await deps.db.orderLine.findMany({
          where: { variableWeight: true, order: placedOrdersWhere(dist.id) },
          include: { product: { include: { producer: true } }, order: { include: { customer: { select: { name: true } } } } },
          orderBy: [{ product: { producer: { name: 'asc' } } }, { product: { code: 'asc' } }, { order: { basketNumber: 'asc' } }],
        })
      : [];
    const producers = new Map<string, { name: string; lines: unknown[] }>();
    for (const l of lines) {
      const p = producers.get(l.product.producerId) ?? { name: l.product.producer.name, lines: [] };
      const pieces = l.product.multiWeigh ? l.quantity : 1;
      const typed = refused?.typed.get(l.id);
      p.lines.push({
        id: l.id, basket: l.order.basketNumber, customer: l.order.customer.name ?? '', product: l.productName,
        asked: l.estimatedGrams ? `${l.product.multiWeigh ? `${l.quantity} × ` : ''}environ ${l.product.multiWeigh && l.quantity ? Math.round(l.estimatedGrams / l.quantity) : l.estimatedGrams} g` : `${l.quantity}`,
        pieces: Array.from({ length: pieces }, (_, i) => typed?.[i] ?? l.realWeightsGrams[i] ?? ''),
        final: l.finalCents === null ? '' : euros(l.finalCents),
      });
      producers.set(l.product.producerId, p);
    }
    await deps.render(req, res, 'weighIn', {
      title: 'Pesée',
      distribution: dist ? { id: dist.id, label: pickupWhen(dist.pickupStart, dist.pickupEnd, group.timeZone), closed: Boolean(dist.weighInClosedAt) } : null,
      producers: [...producers.values()],
      problems: refused?.problems ?? [],
      unusual: refused?.unusual ?? [],
    }, refused && (refused.problems.length || refused.unusual.length) ? 400 : 200);
  }

  router.get('/console/weigh', allowed, (req, res) => page(req, res, req.query.distribution));

  router.post('/console/weigh', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const body = req.body as Record<string, unknown>;
    const dist = await distributionOf(staff.groupId, body.distribution);
    if (!dist) return res.redirect(303, '/console/weigh');
    const weights = weightsOf(body);
    const confirmUnusual = body.confirmUnusual === '1';
    const lines = await deps.db.orderLine.findMany({ where: { id: { in: [...weights.keys()] }, order: { distributionId: dist.id } }, select: { id: true, orderId: true } });
    const byOrder = new Map<string, LineWeights[]>();
    for (const l of lines) byOrder.set(l.orderId, [...(byOrder.get(l.orderId) ?? []), { lineId: l.id, grams: weights.get(l.id)! }]);
    const problems: string[] = [];
    const unusual: string[] = [];
    const typed = new Map<string, number[]>();
    let finals = 0;
    for (const [orderId, w] of byOrder) {
      try {
        // one order at a time: a mistake on one line does not lose the others
        const r = await deps.db.$transaction((tx) => recordWeighIn(tx, orderId, w, staffActor(staff.staffId), { confirmUnusual }));
        if (r.finalCents !== null) finals++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        (err.code === 'weight_implausible' ? unusual : problems).push(staffErrorText(err));
        for (const x of w) typed.set(x.lineId, x.grams);
      }
    }
    if (problems.length || unusual.length) return page(req, res, dist.id, { problems, unusual, typed });
    req.session.flash = `Pesée enregistrée. ${finals} panier${finals > 1 ? 's' : ''} au prix final.`;
    res.redirect(303, `/console/weigh?distribution=${dist.id}`);
  });

  /** The weigh-in is over: unweighed lines count at their estimate, every final price goes out. */
  router.post('/console/weigh/close', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const dist = await distributionOf(staff.groupId, (req.body as Record<string, unknown>).distribution);
    if (!dist) return res.redirect(303, '/console/weigh');
    try {
      const r = await deps.db.$transaction((tx) => closeWeighIn(tx, { groupId: staff.groupId, distributionId: dist.id }, staffActor(staff.staffId), clock()));
      req.session.flash = `Pesée close. ${r.finalized} montant${r.finalized > 1 ? 's' : ''} final${r.finalized > 1 ? 's' : ''} envoyé${r.finalized > 1 ? 's' : ''}.`;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      req.session.flash = staffErrorText(err);
    }
    res.redirect(303, `/console/weigh?distribution=${dist.id}`);
  });

  return router;
}
