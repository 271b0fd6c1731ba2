// Several villages on one deployment. The platform admin's pages: the groups, a new group with its
// first coordinator, each group's numbers and settings (no resident's data anywhere here). And the
// coordinator's settings page: their own group's sender identity, operator hours and time zone.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { createGroup, hoursText, parseHoursText, setGroupNumbers, updateGroupSettings } from '../catalog/groupSettings.js';
import { staffErrorText } from '../i18n/errors.js';
import { staffActor } from '../orders/actor.js';
import type { Db } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

const NewGroupForm = z.object({
  slug: z.string().trim().toLowerCase().max(40),
  name: z.string().trim().min(1).max(120),
  timeZone: z.string().trim().max(60),
  numbers: z.string().max(1000),
  coordinatorName: z.string().trim().min(1).max(120),
  coordinatorEmail: z.string().trim().toLowerCase().min(3).max(200),
  coordinatorPassword: z.string().min(1).max(200),
});
const SettingsForm = z.object({
  smsSenderKind: z.enum(['phone_number', 'messaging_service', 'alphanumeric']),
  smsSender: z.string().max(60).optional(),
  operatorHours: z.string().max(2000),
  timeZone: z.string().trim().max(60),
});
const NumbersForm = z.object({ numbers: z.string().max(1000) });

const SENDER_KINDS = [['phone_number', 'le numéro du groupe (ou celui indiqué)'], ['messaging_service', 'un Messaging Service Twilio'], ['alphanumeric', 'un nom (alphanumérique)']] as const;
const numbersOf = (text: string) => text.split(/[\s,;]+/).filter(Boolean);

export function groupPages(deps: { db: Db; render: Render }) {
  const router = Router();
  const platformAdmin = requireRole('platform_admin');
  const coordinator = requireRole('coordinator');

  async function listPage(req: Request, res: Response, problems: string[] = [], status = 200, input: Record<string, string> = {}) {
    const groups = await deps.db.group.findMany({ orderBy: { name: 'asc' }, include: { numbers: { orderBy: { phone: 'asc' } }, _count: { select: { staff: { where: { role: 'coordinator', active: true } } } } } });
    await deps.render(req, res, 'groups', {
      title: 'Groupes', problems, input,
      groups: groups.map((g) => ({ id: g.id, slug: g.slug, name: g.name, timeZone: g.timeZone, numbers: g.numbers.map((n) => n.phone).join(', '), coordinators: g._count.staff })),
    }, status);
  }

  router.get('/console/groups', platformAdmin, (req, res) => listPage(req, res));

  router.post('/console/groups', platformAdmin, async (req, res) => {
    const staff = req.session.staff!;
    const body = req.body as Record<string, unknown>;
    const input = Object.fromEntries(['slug', 'name', 'timeZone', 'numbers', 'coordinatorName', 'coordinatorEmail'].map((k) => [k, typeof body[k] === 'string' ? String(body[k]).slice(0, 200) : '']));
    const parsed = NewGroupForm.safeParse(body);
    if (!parsed.success) return listPage(req, res, ['Tous les champs sont demandés : identifiant, nom, fuseau horaire, numéro Twilio, et le nom, l’e-mail et le mot de passe du coordinateur.'], 400, input);
    const f = parsed.data;
    try {
      await deps.db.$transaction((tx) => createGroup(tx, {
        slug: f.slug, name: f.name, timeZone: f.timeZone, numbers: numbersOf(f.numbers),
        coordinator: { name: f.coordinatorName, email: f.coordinatorEmail, password: f.coordinatorPassword },
      }, staffActor(staff.staffId)));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return listPage(req, res, [staffErrorText(err)], err.status === 409 ? 409 : 400, input);
    }
    req.session.flash = `Groupe ${f.name} créé ; ${f.coordinatorName} peut se connecter.`;
    res.redirect(303, '/console/groups');
  });

  async function settingsPage(req: Request, res: Response, groupId: string, forAdmin: boolean, problems: string[] = [], status = 200) {
    const group = await deps.db.group.findUnique({ where: { id: groupId }, include: { numbers: { orderBy: { phone: 'asc' } } } });
    if (!group) throw new NotFoundError('group', { groupId });
    await deps.render(req, res, 'groupSettings', {
      title: forAdmin ? `Groupe ${group.name}` : 'Réglages du groupe', problems, forAdmin, senderKinds: SENDER_KINDS,
      action: forAdmin ? `/console/groups/${group.id}/settings` : '/console/settings',
      numbersAction: `/console/groups/${group.id}/numbers`,
      group: { name: group.name, slug: group.slug, timeZone: group.timeZone, smsSenderKind: group.smsSenderKind, smsSender: group.smsSender ?? '', operatorHours: hoursText(group.operatorHours), numbers: group.numbers.map((n) => n.phone).join('\n') },
    }, status);
  }

  /** The settings form, checked and saved; false when the page was answered with the problem. */
  async function saveSettings(req: Request, res: Response, groupId: string, forAdmin: boolean): Promise<boolean> {
    const staff = req.session.staff!;
    const parsed = SettingsForm.safeParse(req.body);
    if (!parsed.success) {
      await settingsPage(req, res, groupId, forAdmin, ['L’expéditeur, les horaires et le fuseau horaire sont demandés.'], 400);
      return false;
    }
    const hours = parseHoursText(parsed.data.operatorHours);
    try {
      if ('badLine' in hours) throw new AppError('unreadable operator hours', 'invalid_operator_hours', 400, { line: hours.badLine });
      await deps.db.$transaction((tx) => updateGroupSettings(tx, { groupId }, { smsSenderKind: parsed.data.smsSenderKind, smsSender: parsed.data.smsSender, operatorHours: hours.hours, timeZone: parsed.data.timeZone }, staffActor(staff.staffId)));
    } catch (err) {
      if (!(err instanceof AppError) || err.status === 404) throw err;
      await settingsPage(req, res, groupId, forAdmin, [staffErrorText(err)], 400);
      return false;
    }
    req.session.flash = 'Réglages enregistrés.';
    return true;
  }

  router.get('/console/groups/:id', platformAdmin, (req, res) => settingsPage(req, res, String(req.params.id), true));

  router.post('/console/groups/:id/settings', platformAdmin, async (req, res) => {
    if (await saveSettings(req, res, String(req.params.id), true)) res.redirect(303, `/console/groups/${encodeURIComponent(String(req.params.id))}`);
  });

  router.post('/console/groups/:id/numbers', platformAdmin, async (req, res) => {
    const staff = req.session.staff!;
    const groupId = String(req.params.id);
    const parsed = NumbersForm.safeParse(req.body);
    try {
      await deps.db.$transaction((tx) => setGroupNumbers(tx, { groupId }, numbersOf(parsed.success ? parsed.data.numbers : ''), staffActor(staff.staffId)));
    } catch (err) {
      if (!(err instanceof AppError) || err.status === 404) throw err;
      return settingsPage(req, res, groupId, true, [staffErrorText(err)], 400);
    }
    req.session.flash = 'Numéros enregistrés.';
    res.redirect(303, `/console/groups/${encodeURIComponent(groupId)}`);
  });

  // a coordinator: their own group only (the session's group, never an id from the request)
  router.get('/console/settings', coordinator, (req, res) => settingsPage(req, res, req.session.staff!.groupId, false));
  router.post('/console/settings', coordinator, async (req, res) => {
    if (await saveSettings(req, res, req.session.staff!.groupId, false)) res.redirect(303, '/console/settings');
  });

  return router;
}
