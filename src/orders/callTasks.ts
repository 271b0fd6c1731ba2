// Work for the switchboard operator ("À traiter"): opened by the voice menu, a recording, a notice
// that could not be delivered; taken, then done (with who called back and what was said).
import type { Prisma, Tx } from '../platform/db/client.js';
import { NotFoundError } from '../platform/errors.js';
import { auditStaff, type Actor } from './actor.js';

export type NewCallTask = Omit<Prisma.CallTaskUncheckedCreateInput, 'id' | 'status' | 'createdAt' | 'doneAt' | 'assignedToId'>;

/** Opens a task; a recording's task is opened once whichever of its callbacks comes first. */
export async function openCallTask(tx: Tx, task: NewCallTask): Promise<void> {
  if (task.recordingSid) {
    await tx.callTask.upsert({ where: { recordingSid: task.recordingSid }, create: task, update: { kind: task.kind } });
  } else {
    await tx.callTask.create({ data: task });
  }
}

/** A recording arrived for a call: its task gets it, or a call-back task is opened so nothing is lost. */
export async function attachRecording(tx: Tx, recording: { recordingSid: string; recordingUrl?: string; recordingSeconds?: number }, orElse: NewCallTask): Promise<void> {
  const existing = await tx.callTask.findUnique({ where: { recordingSid: recording.recordingSid }, select: { id: true } });
  if (existing) await tx.callTask.update({ where: { id: existing.id }, data: recording });
  else await tx.callTask.create({ data: { ...orElse, ...recording } });
}

async function ownTask(tx: Tx, groupId: string, taskId: string) {
  const task = await tx.callTask.findFirst({ where: { id: taskId, groupId } });
  if (!task) throw new NotFoundError('task', { taskId });
  return task;
}

export async function takeCallTask(tx: Tx, ref: { groupId: string; taskId: string }, actor: Actor & { kind: 'staff' }): Promise<void> {
  const task = await ownTask(tx, ref.groupId, ref.taskId);
  await tx.callTask.update({ where: { id: task.id }, data: { status: 'in_progress', assignedToId: actor.staffId } });
}

/** Done; `calledBack` adds who called and what they said to the task's note. */
export async function completeCallTask(tx: Tx, ref: { groupId: string; taskId: string }, opts: { calledBack?: { by: string; note?: string }; orderId?: string }, actor: Actor & { kind: 'staff' }, now: Date): Promise<void> {
  const task = await ownTask(tx, ref.groupId, ref.taskId);
  const stamp = opts.calledBack ? `Rappelé par ${opts.calledBack.by}${opts.calledBack.note ? ` : ${opts.calledBack.note}` : ''}` : null;
  await tx.callTask.update({
    where: { id: task.id },
    data: {
      status: 'done', doneAt: now, assignedToId: opts.calledBack || opts.orderId ? actor.staffId : (task.assignedToId ?? actor.staffId),
      ...(stamp ? { note: task.note ? `${task.note}\n${stamp}` : stamp } : {}),
      ...(opts.orderId ? { orderId: opts.orderId } : {}),
    },
  });
  await auditStaff(tx, actor, { groupId: task.groupId, action: 'task.done', entityType: 'CallTask', entityId: task.id });
}

/** The resident's data requests are answered (their data exported or erased). */
export async function completeDataRequests(tx: Tx, ref: { groupId: string; customerId: string }, actor: Actor & { kind: 'staff' }, now: Date): Promise<void> {
  await tx.callTask.updateMany({
    where: { groupId: ref.groupId, customerId: ref.customerId, kind: 'data_request', status: { not: 'done' } },
    data: { status: 'done', doneAt: now, assignedToId: actor.staffId },
  });
}
