// Coordinators' pages: distributions (create, close, cancel), the staff accounts and the couriers.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { formatLocalTime, parseLocalTime } from '../catalog/distributions.js';
import type { CatalogCache } from '../catalog/openCatalog.js';
import { staffErrorText } from '../i18n/errors.js';
import { staffActor } from '../orders/actor.js';
import { addCourier, addStaff, setCourierActive, setStaffActive } from '../catalog/team.js';
import { cancelDistribution, closeDistribution, createDistribution, markDistributionDone, rescheduleDistribution } from '../orders/distributionLifecycle.js';
import { overlappingOrderWindows } from '../catalog/relays.js';
import { overlappingWindowsWarning } from '../i18n/imports.js';
import { dayAndHour, pickupWhen } from '../i18n/sms.js';
import type { Db } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { nationalPhone } from '../platform/phone.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

const DistributionForm = z.object({
  relayPointId: z.string().min(1),
  opensAt: z.string().min(1), closesAt: z.string().min(1), pickupStart: z.string().min(1), pickupEnd: z.string().min(1),
  deliveryStart: z.string().optional(), deliveryEnd: z.string().optional(),
});
const StaffForm = z.object({
  role: z.enum(['coordinator', 'operator', 'delivery_lead', 'producer']),
  name: z.string().trim().min(1).max(120),
  email: z.string().trim().toLowerCase().max(200).optional(),
  password: z.string().max(200).optional(),
  phone: z.string().trim().max(30).optional(),
  producerId: z.string().optional(),
});
const CourierForm = z.object({ name: z.string().trim().min(1).max(120), phone: z.string().trim().min(1).max(30) });

const ROLE_LABELS = { coordinator: 'coordination', operator: 'standard', delivery_lead: 'responsable des livraisons', producer: 'producteur' } as const;
const ALL_ROLE_LABELS = { ...ROLE_LABELS, platform_admin: 'administration de la plateforme' } as const;

export function adminPages(deps: { db: Db; render: Render; catalogs: CatalogCache }) {
  const router = Router();
  const coordinator = requireRole('coordinator');

  // -- distributions
  async function distributionsPage(req: Request, res: Response, problems: string[] = [], status = 200) {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId } });
    const [list, relays] = await Promise.all([
      deps.db.distribution.findMany({ where: { groupId: staff.groupId }, orderBy: { pickupStart: 'desc' }, take: 20, include: { relayPoint: true, _count: { select: { orders: { where: { status: { notIn: ['draft', 'cancelled'] } } } } } } }),
      deps.db.relayPoint.findMany({ where: { groupId: staff.groupId }, orderBy: { name: 'asc' } }),
    ]);
    const STATUS = { scheduled: 'prévue', closed: 'commandes closes', done: 'terminée', cancelled: 'annulée' } as const;
    await deps.render(req, res, 'distributions', {
      title: 'Distributions', problems, relays: relays.map((r) => ({ id: r.id, name: r.name })),
      distributions: list.map((d) => ({
        id: d.id, pickup: pickupWhen(d.pickupStart, d.pickupEnd, group.timeZone), relay: d.relayPoint.name, status: d.status, statusLabel: STATUS[d.status],
        window: `${dayAndHour(d.opensAt, group.timeZone)} → ${dayAndHour(d.closesAt, group.timeZone)}`, orders: d._count.orders, relayPointId: d.relayPointId,
        input: Object.fromEntries((['opensAt', 'closesAt', 'pickupStart', 'pickupEnd', 'deliveryStart', 'deliveryEnd'] as const).map((k) => [k, d[k] ? formatLocalTime(d[k], group.timeZone).replace(' ', 'T') : ''])),
      })),
    }, status);
  }

  router.get('/console/distributions', coordinator, (req, res) => distributionsPage(req, res));

  /** The form's local times, checked; or the problems to show. */
  async function readTimes(req: Request) {
    const staff = req.session.staff!;
    const parsed = DistributionForm.safeParse(req.body);
    if (!parsed.success) return { problems: ['Toutes les dates sont demandées.'] };
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId } });
    const relay = await deps.db.relayPoint.findFirst({ where: { id: parsed.data.relayPointId, groupId: staff.groupId } });
    if (!relay) return { problems: ['Choisissez le commerce relais.'] };
    // <input type="datetime-local"> gives "2026-12-05T20:00": a local time of the group
    const local = (v: string | undefined) => (v ? parseLocalTime(v.replace('T', ' '), group.timeZone) : undefined);
    try {
      const times = { opensAt: local(parsed.data.opensAt)!, closesAt: local(parsed.data.closesAt)!, pickupStart: local(parsed.data.pickupStart)!, pickupEnd: local(parsed.data.pickupEnd)!, deliveryStart: local(parsed.data.deliveryStart) ?? null, deliveryEnd: local(parsed.data.deliveryEnd) ?? null };
      return { problems: [], data: { relayPointId: relay.id, ...times, deliveryStart: times.deliveryStart ?? undefined, deliveryEnd: times.deliveryEnd ?? undefined } };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { problems: ['Une date est illisible.'] };
    }
  }

  router.post('/console/distributions', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const { problems, data } = await readTimes(req);
    if (!data) return distributionsPage(req, res, problems, 400);
    let created;
    try {
      created = await deps.db.$transaction((tx) => createDistribution(tx, { groupId: staff.groupId, ...data }, staffActor(staff.staffId)));
      // this process's SMS and calls see it at once; the others when the event is handled
      deps.catalogs.evict(staff.groupId);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return distributionsPage(req, res, [staffErrorText(err)], 400);
    }
    const overlaps = await overlappingOrderWindows(deps.db, staff.groupId, created, created.id);
    const { timeZone } = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId }, select: { timeZone: true } });
    req.session.flash = ['Distribution créée.', ...(overlaps.length ? [overlappingWindowsWarning(overlaps.map((o) => `${pickupWhen(o.pickupStart, o.pickupEnd, timeZone)} (${o.relayPoint.name})`))] : [])].join(' ');
    res.redirect(303, '/console/distributions');
  });

  router.post('/console/distributions/:id', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const { problems, data } = await readTimes(req);
    if (!data) return distributionsPage(req, res, problems, 400);
    try {
      // only a distribution still taking (or about to take) orders changes its times
      await deps.db.$transaction((tx) => rescheduleDistribution(tx, { groupId: staff.groupId, distributionId: String(req.params.id) }, data, staffActor(staff.staffId)));
      deps.catalogs.evict(staff.groupId);
      req.session.flash = 'Distribution modifiée.';
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'invalid_distribution_times') return distributionsPage(req, res, [staffErrorText(err)], 400);
      req.session.flash = 'Cette distribution ne peut plus être modifiée.';
    }
    res.redirect(303, '/console/distributions');
  });

  const ACTIONS = {
    close: { run: closeDistribution, done: 'Commandes closes. Le responsable des livraisons reçoit la liste des livraisons.' },
    done: { run: markDistributionDone, done: 'Distribution terminée.' },
    cancel: { run: cancelDistribution, done: 'Distribution annulée. Chaque habitant qui avait commandé est prévenu.' },
  } as const;

  router.post('/console/distributions/:id/:action', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const action = String(req.params.action);
    if (!Object.hasOwn(ACTIONS, action)) throw new NotFoundError('action');
    const chosen = ACTIONS[action as keyof typeof ACTIONS];
    try {
      await deps.db.$transaction(async (tx) => void (await chosen.run(tx, { groupId: staff.groupId, distributionId: String(req.params.id) }, staffActor(staff.staffId), new Date())), { maxWait: 10_000, timeout: 20_000 });
      deps.catalogs.evict(staff.groupId);
      req.session.flash = chosen.done;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      req.session.flash = err.code === 'invalid_distribution_state' ? 'Cette distribution ne peut plus changer ainsi.' : staffErrorText(err);
    }
    res.redirect(303, '/console/distributions');
  });

  // -- staff and couriers
  async function teamPage(req: Request, res: Response, problems: string[] = [], status = 200) {
    const staff = req.session.staff!;
    const [people, couriers, producers] = await Promise.all([
      deps.db.staffUser.findMany({ where: { groupId: staff.groupId }, orderBy: [{ active: 'desc' }, { name: 'asc' }], include: { producer: true } }),
      deps.db.courier.findMany({ where: { groupId: staff.groupId }, orderBy: [{ active: 'desc' }, { name: 'asc' }] }),
      deps.db.producer.findMany({ where: { groupId: staff.groupId }, orderBy: { name: 'asc' } }),
    ]);
    await deps.render(req, res, 'team', {
      title: 'Équipe', problems, roles: Object.entries(ROLE_LABELS), producers: producers.map((p) => ({ id: p.id, name: p.name })),
      people: people.map((p) => ({ id: p.id, name: p.name, role: ALL_ROLE_LABELS[p.role], email: p.email, phone: p.phone ? nationalPhone(p.phone) : '', producer: p.producer?.name ?? '', active: p.active, self: p.id === staff.staffId })),
      couriers: couriers.map((c) => ({ id: c.id, name: c.name, phone: nationalPhone(c.phone), active: c.active })),
    }, status);
  }

  router.get('/console/team', coordinator, (req, res) => teamPage(req, res));

  router.post('/console/team/staff', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const parsed = StaffForm.safeParse(req.body);
    if (!parsed.success) return teamPage(req, res, ['Le rôle et le nom sont demandés.'], 400);
    const f = parsed.data;
    try {
      await deps.db.$transaction((tx) => addStaff(tx, { groupId: staff.groupId, ...f }, staffActor(staff.staffId)));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return teamPage(req, res, [err.code === 'not_found' ? 'Producteur inconnu.' : staffErrorText(err)], err.status === 404 ? 400 : err.status);
    }
    req.session.flash = `${f.name} a un compte.`;
    res.redirect(303, '/console/team');
  });

  router.post('/console/team/staff/:id/active', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const active = (req.body as Record<string, unknown>).active === '1';
    // nobody locks themselves out (the use case refuses it)
    await deps.db.$transaction((tx) => setStaffActive(tx, { groupId: staff.groupId, staffId: String(req.params.id) }, active, staffActor(staff.staffId)));
    res.redirect(303, '/console/team');
  });

  router.post('/console/team/couriers', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const parsed = CourierForm.safeParse(req.body);
    if (!parsed.success) return teamPage(req, res, ['Le nom et le téléphone du livreur sont demandés.'], 400);
    try {
      await deps.db.$transaction((tx) => addCourier(tx, { groupId: staff.groupId, ...parsed.data }, staffActor(staff.staffId)));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return teamPage(req, res, [staffErrorText(err)], err.status);
    }
    req.session.flash = `${parsed.data.name} est livreur.`;
    res.redirect(303, '/console/team');
  });

  router.post('/console/team/couriers/:id/active', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    await deps.db.$transaction((tx) => setCourierActive(tx, { groupId: staff.groupId, courierId: String(req.params.id) }, (req.body as Record<string, unknown>).active === '1', staffActor(staff.staffId)));
    res.redirect(303, '/console/team');
  });

  return router;
}
