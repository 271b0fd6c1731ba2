// Residents, found by any part of their phone number (typed with spaces, dots or +33) or name.
import { Router } from 'express';
import type { Db } from '../platform/db/client.js';
import { nationalPhone } from '../platform/phone.js';
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

export function customerPages(deps: { db: Db; render: Render }) {
  const router = Router();

  router.get('/console/customers', requireRole('coordinator', 'operator'), async (req, res) => {
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
