// Several villages on one deployment: a platform admin creates a group with its Twilio numbers and
// its first coordinator; the group's sender identity, operator hours and time zone are edited by
// the platform admin or by the group's own coordinator. One set of rules for the console and the CLI.
import { z } from 'zod';
import { auditStaff, type Actor } from '../orders/actor.js';
import { isUniqueViolation, type Tx } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { toE164 } from '../platform/phone.js';
import { addStaff } from './team.js';

export type SmsSenderKind = 'phone_number' | 'messaging_service' | 'alphanumeric';
export type OperatorHoursRange = { days: number[]; from: string; to: string };

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
/** [{ days: [1..7], from: "09:00", to: "12:00" }]: ISO weekdays, local times of the group, from before to. */
export const OperatorHoursSchema = z.array(
  z.object({ days: z.array(z.number().int().min(1).max(7)).min(1).max(7), from: HHMM, to: HHMM }).strict().refine((r) => r.from < r.to),
).max(20);

/** An IANA time zone the runtime knows (Europe/Paris, America/Martinique…). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) || zone.length > 60) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function checkTimeZone(zone: string): string {
  if (!isTimeZone(zone)) throw new AppError('unknown time zone', 'invalid_time_zone', 400, { timeZone: zone.slice(0, 60) });
  return zone;
}

function checkHours(hours: unknown): OperatorHoursRange[] {
  const parsed = OperatorHoursSchema.safeParse(hours);
  if (!parsed.success) throw new AppError('invalid operator hours', 'invalid_operator_hours');
  return parsed.data.map((r) => ({ days: [...new Set(r.days)].sort(), from: r.from, to: r.to }));
}

/** The sender as stored: a phone in E.164, a Messaging Service SID, or an alphanumeric ID; null: the group's number. */
function checkSender(kind: SmsSenderKind, sender: string | null | undefined): string | null {
  const value = sender?.trim() || null;
  if (kind === 'phone_number') {
    if (!value) return null;
    const e164 = toE164(value);
    if (!e164) throw new AppError('invalid sender phone', 'invalid_sender', 400, { what: kind });
    return e164;
  }
  if (kind === 'messaging_service') {
    if (!value || !/^MG[0-9a-fA-F]{32}$/.test(value)) throw new AppError('invalid messaging service', 'invalid_sender', 400, { what: kind });
    return value;
  }
  if (!value || !/^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(value)) throw new AppError('invalid alphanumeric sender', 'invalid_sender', 400, { what: kind });
  return value;
}

function checkNumbers(numbers: string[]): string[] {
  const e164 = numbers.map((n) => n.trim()).filter(Boolean).map((n) => toE164(n));
  if (e164.length === 0 || e164.length > 10 || e164.some((n) => !n)) throw new AppError('invalid group numbers', 'invalid_group_setup', 400, { what: 'numbers' });
  return [...new Set(e164 as string[])];
}

export interface NewGroup {
  slug: string;
  name: string;
  timeZone: string;
  numbers: string[];
  coordinator: { name: string; email: string; password: string };
}

/** A group, its Twilio numbers and its first coordinator (who can log in at once). */
export async function createGroup(tx: Tx, input: NewGroup, actor: Actor) {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/.test(input.slug) || input.slug.length < 2) throw new AppError('invalid slug', 'invalid_group_setup', 400, { what: 'slug' });
  const name = input.name.trim();
  if (!name || name.length > 120) throw new AppError('invalid name', 'invalid_group_setup', 400, { what: 'name' });
  const timeZone = checkTimeZone(input.timeZone);
  const numbers = checkNumbers(input.numbers);
  if (await tx.group.findUnique({ where: { slug: input.slug }, select: { id: true } })) throw new AppError('slug taken', 'already_taken', 409, { what: 'slug' });
  if (await tx.groupNumber.findFirst({ where: { phone: { in: numbers } }, select: { id: true } })) throw new AppError('number taken', 'already_taken', 409, { what: 'number' });
  const group = await tx.group.create({ data: { slug: input.slug, name, timeZone, numbers: { create: numbers.map((phone) => ({ phone })) } } });
  await auditStaff(tx, actor, { groupId: group.id, action: 'group.created', entityType: 'Group', entityId: group.id, data: { slug: group.slug } });
  const coordinator = await addStaff(tx, { groupId: group.id, role: 'coordinator', name: input.coordinator.name, email: input.coordinator.email, password: input.coordinator.password }, actor);
  return { group, coordinator };
}

export interface GroupSettings {
  smsSenderKind: SmsSenderKind;
  smsSender?: string | null;
  operatorHours: unknown;
  timeZone: string;
}

/** The settings a coordinator edits for their own group (and a platform admin for any group). */
export async function updateGroupSettings(tx: Tx, ref: { groupId: string }, input: GroupSettings, actor: Actor) {
  const data = { smsSenderKind: input.smsSenderKind, smsSender: checkSender(input.smsSenderKind, input.smsSender), operatorHours: checkHours(input.operatorHours), timeZone: checkTimeZone(input.timeZone) };
  const { count } = await tx.group.updateMany({ where: { id: ref.groupId }, data });
  if (count === 0) throw new NotFoundError('group', ref);
  await auditStaff(tx, actor, { groupId: ref.groupId, action: 'group.settings_changed', entityType: 'Group', entityId: ref.groupId, data: { smsSenderKind: data.smsSenderKind, timeZone: data.timeZone } });
}

/** The group's Twilio numbers, replaced by this list (a webhook to a removed number finds no group). */
export async function setGroupNumbers(tx: Tx, ref: { groupId: string }, list: string[], actor: Actor) {
  const numbers = checkNumbers(list);
  if (!(await tx.group.findUnique({ where: { id: ref.groupId }, select: { id: true } }))) throw new NotFoundError('group', ref);
  if (await tx.groupNumber.findFirst({ where: { phone: { in: numbers }, groupId: { not: ref.groupId } }, select: { id: true } })) throw new AppError('number taken', 'already_taken', 409, { what: 'number' });
  try {
    await tx.groupNumber.deleteMany({ where: { groupId: ref.groupId, phone: { notIn: numbers } } });
    const kept = new Set((await tx.groupNumber.findMany({ where: { groupId: ref.groupId }, select: { phone: true } })).map((n) => n.phone));
    await tx.groupNumber.createMany({ data: numbers.filter((n) => !kept.has(n)).map((phone) => ({ groupId: ref.groupId, phone })) });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('number taken', 'already_taken', 409, { what: 'number' });
    throw err;
  }
  await auditStaff(tx, actor, { groupId: ref.groupId, action: 'group.numbers_changed', entityType: 'Group', entityId: ref.groupId, data: { numbers: numbers.join(' ') } });
}

/** "1-5 09:00-12:00" lines (days 1 = Monday … 7 = Sunday, a range or a list) into operator hours; null: unreadable. */
export function parseHoursText(text: string): { hours: OperatorHoursRange[] } | { badLine: string } {
  const hours: OperatorHoursRange[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([1-7](?:\s*[-,]\s*[1-7])*)\s+(\d{1,2}[:h]\d{2})\s*-\s*(\d{1,2}[:h]\d{2})$/.exec(line);
    if (!m) return { badLine: line.slice(0, 60) };
    const days: number[] = [];
    for (const part of m[1]!.split(',')) {
      const [a, b] = part.split('-').map((x) => Number(x.trim()));
      if (b === undefined) days.push(a!);
      else for (let d = a!; d <= b; d++) days.push(d);
    }
    const hhmm = (t: string) => t.replace('h', ':').padStart(5, '0');
    hours.push({ days, from: hhmm(m[2]!), to: hhmm(m[3]!) });
  }
  return { hours };
}

export function hoursText(hours: unknown): string {
  const parsed = OperatorHoursSchema.safeParse(hours);
  if (!parsed.success) return '';
  return parsed.data.map((r) => `${r.days.join(',')} ${r.from}-${r.to}`).join('\n');
}
