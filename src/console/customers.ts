// Residents, found by any part of their phone number (typed with spaces, dots or +33) or name.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { staffErrorText } from '../i18n/errors.js';
import { staffActor } from '../orders/actor.js';
import { customerPhone, saveResident } from '../orders/customers.js';
import type { Db } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { nationalPhone } from '../platform/phone.js';
import { logAccess } from '../privacy/accessLog.js';
import { setCarer } from '../privacy/carers.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

/** "06 12 34", "06.12", "+33 6 12" → the digits as stored in E.164 ("+33612", "3361234"). Pure. */
export function phoneDigits(query: string): string | null {
  let digits = query.replace(/\D/g, '');
  if (digits.length < 2) return null;
  if (digits.startsWith('0033')) digits = digits.slice(2);
  else if (digits.startsWith('0')) digits = `33${digits.slice(1)}`;
  return digits;
}

const CustomerForm = z.object({
  name: z.string().trim().min(1, 'Le nom est demandé.').max(120),
  phone: z.string().trim().min(1, 'Le téléphone est demandé.').max(30),
  lineType: z.enum(['mobile', 'landline', 'unknown']).default('unknown'),
  address: z.string().trim().max(300).optional(),
  deliveryNotes: z.string().trim().max(300).optional(),
  notes: z.string().trim().max(1000).optional(),
  deliveryByDefault: z.literal('1').optional(),
  preferredChannel: z.enum(['sms', 'voice']).default('sms'),
  secondaryContactName: z.string().trim().max(120).optional(),
  secondaryContactPhone: z.string().trim().max(30).optional(),
  // RGPD: why this person gets copies (asked by the resident, their guardian…)
  secondaryContactReason: z.string().trim().max(300).optional(),
});

export function customerPages(deps: { db: Db; render: Render }) {
  const router = Router();
  const allowed = requireRole('coordinator', 'operator');

  async function showForm(req: Request, res: Response, values: Record<string, unknown>, id: string | null, problems: string[] = [], status = 200) {
    await deps.render(req, res, 'customerForm', { title: id ? 'Modifier un habitant' : 'Nouvel habitant', v: values, id, problems }, status);
  }

  async function save(req: Request, res: Response, id: string | null) {
    const staff = req.session.staff!;
    const body = req.body as Record<string, unknown>;
    const parsed = CustomerForm.safeParse(body);
    if (!parsed.success) return showForm(req, res, body, id, parsed.error.issues.map((i) => i.message), 400);
    const f = parsed.data;
    try {
      const contact = f.secondaryContactPhone ? customerPhone(f.secondaryContactPhone) : null;
      const saved = await deps.db.$transaction(async (tx) => {
        // the carer is not the resident record's to change: setCarer records the reason and who (RGPD)
        const current = id ? await tx.customer.findFirst({ where: { id, groupId: staff.groupId }, select: { secondaryContactName: true, secondaryContactPhone: true } }) : null;
        const record = {
          name: f.name, phone: f.phone, address: f.address || null, deliveryNotes: f.deliveryNotes || null, notes: f.notes || null,
          lineType: f.lineType, deliveryByDefault: f.deliveryByDefault === '1', preferredChannel: f.preferredChannel,
          secondaryContactName: current?.secondaryContactName ?? null, secondaryContactPhone: current?.secondaryContactPhone ?? null,
        };
        const c = await saveResident(tx, { groupId: staff.groupId, customerId: id }, record, staffActor(staff.staffId));
        await setCarer(tx, { customerId: c.id, name: f.secondaryContactName || null, phone: contact, reason: f.secondaryContactReason || null, now: new Date() }, { staffId: staff.staffId });
        return c;
      });
      req.session.flash = `${saved.name} est enregistré(e).`;
      res.redirect(303, `/console/customers?q=${encodeURIComponent(nationalPhone(saved.phone))}`);
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'not_found') throw err;
      return showForm(req, res, body, id, [staffErrorText(err)], err.status);
    }
  }

  async function ownCustomer(groupId: string, id: string) {
    const c = await deps.db.customer.findFirst({ where: { id, groupId } });
    if (!c) throw new NotFoundError('customer');
    return c;
  }

  router.get('/console/customers/new', allowed, (req, res) => showForm(req, res, { preferredChannel: 'sms', lineType: 'unknown' }, null));
  router.post('/console/customers/new', allowed, (req, res) => save(req, res, null));
  router.get('/console/customers/:id', allowed, async (req, res) => {
    const c = await ownCustomer(req.session.staff!.groupId, String(req.params.id));
    await logAccess(deps.db, req.session.staff!, [c.id], 'customer');
    const addedBy = c.secondaryContactAddedById ? await deps.db.staffUser.findUnique({ where: { id: c.secondaryContactAddedById }, select: { name: true } }) : null;
    await showForm(req, res, { ...c, carerAddedBy: addedBy?.name ?? null, phone: nationalPhone(c.phone), secondaryContactPhone: c.secondaryContactPhone ? nationalPhone(c.secondaryContactPhone) : '', deliveryByDefault: c.deliveryByDefault ? '1' : undefined }, c.id);
  });
  router.post('/console/customers/:id', allowed, (req, res) => save(req, res, String(req.params.id)));

  router.get('/console/customers', allowed, async (req, res) => {
    const staff = req.session.staff!;
    const q = String(req.query.q ?? '').trim().slice(0, 100);
    const digits = phoneDigits(q);
    const customers = q
      ? await deps.db.customer.findMany({
          where: { groupId: staff.groupId, OR: [{ name: { contains: q, mode: 'insensitive' } }, ...(digits ? [{ phone: { contains: digits } }] : [])] },
          orderBy: { name: 'asc' },
          take: 50,
        })
      : [];
    await logAccess(deps.db, staff, customers.map((c) => c.id), 'customers');
    await deps.render(req, res, 'customers', {
      title: 'Habitants',
      q,
      customers: customers.map((c) => ({
        id: c.id, name: c.name, phone: nationalPhone(c.phone), landline: c.lineType === 'landline', address: c.address,
        contact: c.secondaryContactPhone ? `${c.secondaryContactName ?? ''} ${nationalPhone(c.secondaryContactPhone)}`.trim() : null,
      })),
    });
  });

  return router;
}
