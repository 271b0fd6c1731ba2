// The people of a group: staff accounts (console, and the delivery lead's phone) and couriers.
// One set of rules for the console's team page and the CLI.
import { hash } from '@node-rs/argon2';
import { auditStaff, type Actor } from '../orders/actor.js';
import { customerPhone } from '../orders/customers.js';
import { isUniqueViolation, type Tx } from '../platform/db/client.js';
import { AppError, NotFoundError } from '../platform/errors.js';

export type StaffRoleName = 'coordinator' | 'operator' | 'delivery_lead' | 'producer' | 'platform_admin';

export interface NewStaff {
  groupId: string;
  role: StaffRoleName;
  name: string;
  email?: string | null;
  password?: string | null;
  phone?: string | null;
  producerId?: string | null;
}

const rule = (message: string, code: 'login_incomplete' | 'password_too_short' | 'producer_required' | 'phone_required') => new AppError(message, code);

/** A staff account; the password is stored as an argon2id hash only. */
export async function addStaff(tx: Tx, input: NewStaff, actor: Actor) {
  if (Boolean(input.email) !== Boolean(input.password)) throw rule('email and password go together', 'login_incomplete');
  if (input.password && input.password.length < 10) throw rule('the password needs at least 10 characters', 'password_too_short');
  if (input.role === 'producer' && !input.producerId) throw rule('a producer account needs its producer', 'producer_required');
  if (input.role === 'delivery_lead' && !input.phone) throw rule('the delivery lead gets SMS: a phone is needed', 'phone_required');
  const producer = input.role === 'producer' ? await tx.producer.findFirst({ where: { id: input.producerId!, groupId: input.groupId } }) : null;
  if (input.role === 'producer' && !producer) throw new NotFoundError('producer', { producerId: input.producerId });
  try {
    const created = await tx.staffUser.create({
      data: {
        groupId: input.groupId, role: input.role, name: input.name, email: input.email || null,
        passwordHash: input.password ? await hash(input.password) : null, phone: input.phone ? customerPhone(input.phone) : null, producerId: producer?.id ?? null,
      },
    });
    await auditStaff(tx, actor, { groupId: input.groupId, action: 'staff.added', entityType: 'StaffUser', entityId: created.id, data: { role: input.role } });
    return created;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('email already used', 'already_taken', 409, { what: 'email' });
    throw err;
  }
}

/** Deactivated accounts lose their console session; nobody locks themselves out. */
export async function setStaffActive(tx: Tx, ref: { groupId: string; staffId: string }, active: boolean, actor: Actor): Promise<void> {
  if (actor.kind === 'staff' && actor.staffId === ref.staffId && !active) throw new AppError('cannot deactivate yourself', 'self_deactivation');
  const { count } = await tx.staffUser.updateMany({ where: { id: ref.staffId, groupId: ref.groupId }, data: { active } });
  if (count === 0) throw new NotFoundError('staff', ref);
  await auditStaff(tx, actor, { groupId: ref.groupId, action: active ? 'staff.activated' : 'staff.deactivated', entityType: 'StaffUser', entityId: ref.staffId });
}

export async function addCourier(tx: Tx, input: { groupId: string; name: string; phone: string }, actor: Actor) {
  try {
    const created = await tx.courier.create({ data: { groupId: input.groupId, name: input.name, phone: customerPhone(input.phone) } });
    await auditStaff(tx, actor, { groupId: input.groupId, action: 'courier.added', entityType: 'Courier', entityId: created.id });
    return created;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('a courier already has this phone', 'already_taken', 409, { what: 'courier' });
    throw err;
  }
}

export async function setCourierActive(tx: Tx, ref: { groupId: string; courierId: string }, active: boolean, actor: Actor): Promise<void> {
  const { count } = await tx.courier.updateMany({ where: { id: ref.courierId, groupId: ref.groupId }, data: { active } });
  if (count === 0) throw new NotFoundError('courier', ref);
  await auditStaff(tx, actor, { groupId: ref.groupId, action: active ? 'courier.activated' : 'courier.deactivated', entityType: 'Courier', entityId: ref.courierId });
}
