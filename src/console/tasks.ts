// "À traiter": the operator's work list — messages to enter, call-backs, unreachable residents,
// failed deliveries — with the recording played through the console, never the raw Twilio URL.
import { Readable } from 'node:stream';
import { Router } from 'express';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { staffActor } from '../orders/actor.js';
import { completeCallTask, takeCallTask } from '../orders/callTasks.js';
import type { Db } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import { nationalPhone } from '../platform/phone.js';
import { logAccess } from '../privacy/accessLog.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

const KIND_LABELS: Record<string, string> = {
  order_to_enter: 'Commande à saisir',
  call_back: 'Rappeler',
  missed_transfer: 'Appel manqué',
  unreachable_resident: 'À prévenir par téléphone',
  interrupted_call: 'Appel interrompu',
  delivery_address: 'Adresse de livraison',
  failed_delivery: 'Livraison échouée',
  undelivered_dispatch: 'SMS de livraison non reçu',
  data_request: 'Demande sur ses données (RGPD)',
};

const Note = z.object({ note: z.string().trim().max(500).optional() });

export function taskPages(deps: { db: Db; render: Render; publicBaseUrl: string; twilio: { accountSid: string; authToken: string; apiBaseUrl: string | undefined } }) {
  const router = Router();
  const staffOnly = requireRole('coordinator', 'operator');

  /** A task of the staff member's own group, or 404 (never another group's). */
  async function ownTask(groupId: string, id: string) {
    const task = await deps.db.callTask.findFirst({ where: { id, groupId } });
    if (!task) throw new NotFoundError('task');
    return task;
  }

  router.get('/console/tasks', staffOnly, async (req, res) => {
    const staff = req.session.staff!;
    const group = await deps.db.group.findUniqueOrThrow({ where: { id: staff.groupId }, select: { timeZone: true } });
    const tasks = await deps.db.callTask.findMany({
      where: { groupId: staff.groupId, status: { not: 'done' } },
      orderBy: { createdAt: 'desc' },
      take: 200,
      include: { customer: { select: { name: true } }, assignedTo: { select: { name: true } } },
    });
    await logAccess(deps.db, staff, tasks.map((t) => t.customerId), 'tasks');
    await deps.render(req, res, 'tasks', {
      title: 'À traiter',
      tasks: tasks.map((t) => ({
        id: t.id, kind: t.kind, customerId: t.customerId, status: t.status, note: t.note, kindLabel: KIND_LABELS[t.kind] ?? t.kind,
        caller: t.customer?.name ? `${t.customer.name} (${nationalPhone(t.callerPhone)})` : nationalPhone(t.callerPhone),
        when: DateTime.fromJSDate(t.createdAt, { zone: group.timeZone }).setLocale('fr').toFormat("cccc d LLLL 'à' HH'h'mm"),
        hasRecording: Boolean(t.recordingUrl), recordingSeconds: t.recordingSeconds, assignedTo: t.assignedTo?.name ?? null,
      })),
    });
  });

  router.post('/console/tasks/:id/take', staffOnly, async (req, res) => {
    const staff = req.session.staff!;
    const task = await ownTask(staff.groupId, String(req.params.id));
    await deps.db.$transaction((tx) => takeCallTask(tx, { groupId: staff.groupId, taskId: task.id }, staffActor(staff.staffId)));
    req.session.flash = 'Vous vous en occupez.';
    res.redirect(303, '/console/tasks');
  });

  router.post('/console/tasks/:id/called', staffOnly, async (req, res) => {
    const staff = req.session.staff!;
    const task = await ownTask(staff.groupId, String(req.params.id));
    const { note } = Note.parse(req.body);
    await deps.db.$transaction((tx) => completeCallTask(tx, { groupId: staff.groupId, taskId: task.id }, { calledBack: { by: staff.name, note } }, staffActor(staff.staffId), new Date()));
    req.session.flash = 'Noté : rappelé.';
    res.redirect(303, '/console/tasks');
  });

  router.post('/console/tasks/:id/done', staffOnly, async (req, res) => {
    const staff = req.session.staff!;
    const task = await ownTask(staff.groupId, String(req.params.id));
    await deps.db.$transaction((tx) => completeCallTask(tx, { groupId: staff.groupId, taskId: task.id }, {}, staffActor(staff.staffId), new Date()));
    req.session.flash = 'Tâche terminée.';
    res.redirect(303, '/console/tasks');
  });

  /** The recording, fetched with the account's credentials and passed on: the URL stays server-side. */
  router.get('/console/tasks/:id/recording', staffOnly, async (req, res) => {
    const task = await ownTask(req.session.staff!.groupId, String(req.params.id));
    const url = task.recordingUrl ? new URL(task.recordingUrl) : null;
    // only Twilio's API (or the demo's own stand-in) is ever fetched: no request forgery
    const allowed = url && (url.hostname === 'api.twilio.com' || url.href.startsWith(`${deps.publicBaseUrl}/dev/`) || (deps.twilio.apiBaseUrl && url.href.startsWith(deps.twilio.apiBaseUrl)));
    if (!url || !allowed) throw new NotFoundError('recording');
    const upstream = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${deps.twilio.accountSid}:${deps.twilio.authToken}`).toString('base64')}` } });
    if (!upstream.ok || !upstream.body) throw new NotFoundError('recording');
    await logAccess(deps.db, req.session.staff!, [task.customerId], 'recording');
    res.status(200).type(upstream.headers.get('content-type') ?? 'audio/wav').set('cache-control', 'private, no-store');
    Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream).pipe(res);
  });

  return router;
}
