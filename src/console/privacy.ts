// RGPD in the console: a resident's data (export as JSON or a printable page), a request noted by
// the switchboard, erasure; for coordinators, the retention settings, who is about to be
// anonymised, the deletions owed to Twilio, and the access log (who saw whom, when, where).
import { Router, type Request } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { exportText, privacyText } from '../i18n/privacy.js';
import { staffActor } from '../orders/actor.js';
import { completeDataRequests } from '../orders/callTasks.js';
import { ACTIVE_STATUSES } from '../orders/status.js';
import type { Db } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { nationalPhone, toE164 } from '../platform/phone.js';
import { createTwilioClient } from '../platform/twilio.js';
import { ACCESS_PAGES, type AccessPage } from '../privacy/accessLog.js';
import { recordDataRequest } from '../privacy/dataRequest.js';
import { eraseResident } from '../privacy/erasure.js';
import { exportResident } from '../privacy/export.js';
import { anonymisationDate } from '../privacy/retention.js';
import { DEFAULT_PRIVACY_SETTINGS, loadPrivacySettings, savePrivacySettings } from '../privacy/settings.js';
import { processTwilioDeletions } from '../privacy/twilioDeletions.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const SettingsForm = z.object({
  recordingRetentionDays: int(1, 365),
  messageRetentionMonths: int(1, 60),
  inactiveResidentMonths: int(1, 120),
  inactivityWarningDays: int(1, 365),
  auditRetentionMonths: int(1, 120),
  accessLogRetentionMonths: int(1, 60),
  infoPhone: z.string().trim().max(30).optional(),
});
const EraseForm = z.object({ confirm: z.string().trim() });
const RequestForm = z.object({ note: z.string().trim().max(500).optional() });

export function privacyPages(deps: { db: Db; render: Render; log: Logger; twilio: { accountSid: string; authToken: string; apiBaseUrl: string | undefined }; now?: () => Date }) {
  const router = Router();
  const coordinator = requireRole('coordinator');
  const staffOnly = requireRole('coordinator', 'operator');
  const clock = deps.now ?? (() => new Date());
  const log = deps.log.child({ module: 'privacy' });
  const twilio = () => createTwilioClient(deps.twilio.accountSid, deps.twilio.authToken, deps.twilio.apiBaseUrl);

  async function ownCustomer(req: Request) {
    const staff = req.session.staff!;
    const c = await deps.db.customer.findFirst({ where: { id: String(req.params.id), groupId: staff.groupId } });
    if (!c) throw new NotFoundError('customer');
    return c;
  }

  const when = (d: string | Date, tz: string) => DateTime.fromJSDate(typeof d === 'string' ? new Date(d) : d, { zone: tz }).setLocale('fr').toFormat("d LLL yyyy 'à' HH'h'mm");

  // the resident's data: JSON (?format=json) or the printable page in French
  router.get('/console/customers/:id/donnees', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const c = await ownCustomer(req);
    const data = await deps.db.$transaction((tx) => exportResident(tx, { groupId: staff.groupId, customerId: c.id, now: clock() }, { staffId: staff.staffId }));
    if (req.query.format === 'json') {
      res.status(200).set('content-disposition', `attachment; filename="donnees-${c.id}.json"`).json(data);
      return;
    }
    const tz = data.group.timeZone;
    await deps.render(req, res, 'residentData', {
      title: exportText.title(data.resident.name), text: exportText, intro: exportText.intro(data.group.name, new Date(data.exportedAt), tz), data,
      phone: nationalPhone(data.resident.phone), carerPhone: data.carer ? nationalPhone(data.carer.phone) : null, when: (d: string) => when(d, tz),
      pageLabel: (p: string) => ACCESS_PAGES[p as AccessPage] ?? p,
    });
  });

  // the switchboard notes a request made by phone: a task for the coordinator
  router.post('/console/customers/:id/demande', staffOnly, async (req, res) => {
    const staff = req.session.staff!;
    const c = await ownCustomer(req);
    const { note } = RequestForm.parse(req.body);
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId }, select: { id: true, operatorPhone: true } });
    await deps.db.$transaction((tx) => recordDataRequest(tx, { group, customerId: c.id, phone: c.phone, channel: 'operator', note }, { staffId: staff.staffId }));
    req.session.flash = 'Demande notée : elle apparaît dans À traiter. La réponse est due sous un mois.';
    res.redirect(303, `/console/customers/${c.id}`);
  });

  router.post('/console/customers/:id/effacer', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const c = await ownCustomer(req);
    const form = EraseForm.safeParse(req.body);
    if (!form.success || form.data.confirm.toUpperCase() !== 'EFFACER') {
      req.session.flash = 'Rien n’est effacé : tapez EFFACER pour confirmer.';
      return res.redirect(303, `/console/customers/${c.id}`);
    }
    // an order under way still needs their name and number (pickup, delivery): it is settled first
    const open = await deps.db.order.findFirst({ where: { customerId: c.id, status: { in: [...ACTIVE_STATUSES] } }, select: { basketNumber: true } });
    if (open) {
      req.session.flash = `Rien n’est effacé : une commande est en cours (panier ${open.basketNumber ?? '?'}). Annulez-la ou attendez qu’elle soit remise, puis effacez.`;
      return res.redirect(303, `/console/customers/${c.id}`);
    }
    const now = clock();
    const counts = await deps.db.$transaction((tx) => eraseResident(tx, { groupId: staff.groupId, customerId: c.id, reason: 'erasure', now }, { staffId: staff.staffId }), { timeout: 30_000 });
    // the copies at Twilio now; what fails is retried by the worker's sweep
    const twilioResult = await processTwilioDeletions({ db: deps.db, twilio: twilio(), log, now, groupId: staff.groupId, limit: 500 });
    await deps.db.$transaction((tx) => completeDataRequests(tx, { groupId: staff.groupId, customerId: c.id }, staffActor(staff.staffId), now));
    log.info({ customerId: c.id, ...counts, twilioDeleted: twilioResult.deleted, twilioFailed: twilioResult.failed }, 'resident erased');
    req.session.flash =
      `Habitant effacé : ${counts.messages} messages, ${counts.recordings} enregistrements, ${counts.orders} commandes gardées sans son nom.` +
      (twilioResult.failed ? ` ${twilioResult.failed} suppressions chez Twilio seront réessayées.` : ' Copies supprimées chez Twilio.');
    res.redirect(303, '/console/rgpd');
  });

  router.get('/console/rgpd', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId }, select: { name: true, timeZone: true } });
    const settings = await loadPrivacySettings(deps.db, staff.groupId);
    const [warned, requests, pending, failed, runs] = await Promise.all([
      deps.db.customer.findMany({ where: { groupId: staff.groupId, inactivityWarnedAt: { not: null }, anonymisedAt: null }, orderBy: { inactivityWarnedAt: 'asc' }, take: 200 }),
      deps.db.callTask.findMany({ where: { groupId: staff.groupId, kind: 'data_request', status: { not: 'done' } }, include: { customer: { select: { id: true, name: true } } }, orderBy: { createdAt: 'asc' } }),
      deps.db.twilioDeletion.count({ where: { groupId: staff.groupId, doneAt: null } }),
      deps.db.twilioDeletion.count({ where: { groupId: staff.groupId, doneAt: null, attempts: { gt: 0 } } }),
      deps.db.auditEvent.findMany({ where: { groupId: staff.groupId, action: { startsWith: 'privacy.' } }, orderBy: { createdAt: 'desc' }, take: 20, include: { actor: { select: { name: true } } } }),
    ]);
    await deps.render(req, res, 'privacy', {
      title: 'Données personnelles (RGPD)',
      settings, defaults: DEFAULT_PRIVACY_SETTINGS,
      warned: warned.map((c) => ({ id: c.id, name: c.name ?? '(sans nom)', on: when(anonymisationDate(c.inactivityWarnedAt!, settings), group.timeZone) })),
      requests: requests.map((t) => ({ customerId: t.customer?.id ?? null, name: t.customer?.name ?? '(sans nom)', since: when(t.createdAt, group.timeZone), note: t.note })),
      pending, failed,
      runs: runs.map((r) => ({ when: when(r.createdAt, group.timeZone), action: r.action, by: r.actor?.name ?? 'le service', counts: Object.entries((r.data ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'number' && v > 0).map(([k, v]) => `${k} ${String(v)}`).join(', ') })),
      notice: privacyText.fullNotice(group.name, settings, settings.infoPhone ? nationalPhone(settings.infoPhone) : null),
    });
  });

  router.post('/console/rgpd', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const form = SettingsForm.safeParse(req.body);
    if (!form.success) {
      req.session.flash = 'Réglages non enregistrés : des durées ne sont pas valides.';
      return res.redirect(303, '/console/rgpd');
    }
    const { infoPhone, ...durations } = form.data;
    const data = { ...durations, infoPhone: infoPhone ? (toE164(infoPhone) ?? infoPhone) : null };
    await deps.db.$transaction((tx) => savePrivacySettings(tx, staff.groupId, data, staffActor(staff.staffId)));
    req.session.flash = 'Durées de conservation enregistrées.';
    res.redirect(303, '/console/rgpd');
  });

  router.get('/console/rgpd/acces', coordinator, async (req, res) => {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId }, select: { timeZone: true } });
    const customerId = typeof req.query.customerId === 'string' ? req.query.customerId : undefined;
    const entries = await deps.db.accessLogEntry.findMany({ where: { groupId: staff.groupId, ...(customerId ? { customerId } : {}) }, orderBy: { at: 'desc' }, take: 500 });
    const [people, residents] = await Promise.all([
      deps.db.staffUser.findMany({ where: { id: { in: [...new Set(entries.map((e) => e.staffId))] } }, select: { id: true, name: true } }),
      deps.db.customer.findMany({ where: { id: { in: [...new Set(entries.map((e) => e.customerId))] } }, select: { id: true, name: true } }),
    ]);
    const staffName = new Map(people.map((p) => [p.id, p.name]));
    const residentName = new Map(residents.map((r) => [r.id, r.name ?? '(sans nom)']));
    await deps.render(req, res, 'accessLog', {
      title: 'Qui a consulté quoi',
      customerId: customerId ?? null,
      entries: entries.map((e) => ({ when: when(e.at, group.timeZone), staff: staffName.get(e.staffId) ?? '(compte supprimé)', customerId: e.customerId, resident: residentName.get(e.customerId) ?? '(effacé)', page: ACCESS_PAGES[e.page as AccessPage] ?? e.page })),
    });
  });

  return router;
}
