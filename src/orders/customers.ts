import type { Db, Tx } from '../platform/db/client.js';
import { isUniqueViolation } from '../platform/db/client.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { auditStaff, type Actor } from './actor.js';
import { lineTypeOf, toE164 } from '../platform/phone.js';

export interface CustomerInput {
  groupId: string;
  phone: string;
  name?: string;
  address?: string;
  deliveryByDefault?: boolean;
  preferredChannel?: 'sms' | 'voice';
}

/** Normalises a phone number the way customers are keyed (E.164), or throws a clear error. */
export function customerPhone(phone: string): string {
  const e164 = toE164(phone);
  if (!e164) throw new ValidationError(`not a valid phone number: ${phone}`, undefined, 'invalid_phone');
  return e164;
}

export async function upsertCustomer(db: Db | Tx, input: CustomerInput) {
  const phone = customerPhone(input.phone);
  const lineType = lineTypeOf(phone);
  const data = {
    name: input.name,
    address: input.address,
    deliveryByDefault: input.deliveryByDefault,
    // a landline cannot read an SMS: voice by default
    preferredChannel: input.preferredChannel ?? (lineType === 'landline' ? 'voice' : undefined),
    lineType,
  } as const;
  return db.customer.upsert({
    where: { groupId_phone: { groupId: input.groupId, phone } },
    create: { groupId: input.groupId, phone, ...data, deliveryByDefault: data.deliveryByDefault ?? false },
    update: data,
  });
}

/**
 * The customer with this phone in the group, created on first contact (residents are keyed by
 * phone only). One statement, safe under concurrent first calls.
 */
export async function ensureCustomerByPhone(tx: Tx, groupId: string, phone: string, preferredChannel: 'sms' | 'voice'): Promise<string> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "Customer" (id, "groupId", phone, "lineType", "preferredChannel", "updatedAt")
    VALUES (gen_random_uuid(), ${groupId}, ${phone}, ${lineTypeOf(phone)}::"LineType", ${preferredChannel}::"ContactChannel", now())
    ON CONFLICT ("groupId", phone) DO UPDATE SET phone = EXCLUDED.phone RETURNING id`;
  return row!.id;
}

/** STOP: no more SMS to this resident until START. Returns false when they had already stopped. */
export async function optOut(tx: Tx, customerId: string, now: Date): Promise<boolean> {
  const { count } = await tx.customer.updateMany({ where: { id: customerId, smsOptedOut: false }, data: { smsOptedOut: true, smsOptedOutAt: now } });
  return count > 0;
}

/** START: SMS again. */
export async function optIn(tx: Tx, customerId: string): Promise<void> {
  await tx.customer.updateMany({ where: { id: customerId }, data: { smsOptedOut: false, smsOptedOutAt: null } });
}

/** The name a resident gave by SMS when asked ("Madame Roux"). */
export async function recordResidentName(tx: Tx, customerId: string, name: string): Promise<void> {
  await tx.customer.update({ where: { id: customerId }, data: { name } });
}

/**
 * How a resident's basket reaches them when they do not say: brought home to the address on file
 * when they are set to home delivery (they cannot come to the relay), else collected. `address: ''`
 * stands for the address on file.
 */
export function usualDelivery(resident: { deliveryByDefault: boolean; address: string | null }): { address: string } | null {
  return resident.deliveryByDefault && resident.address ? { address: '' } : null;
}

/** The address a resident gave for home delivery; kept for the next time. */
export async function setResidentAddress(tx: Tx, customerId: string, address: string): Promise<void> {
  await tx.customer.update({ where: { id: customerId }, data: { address } });
}

/** What Twilio taught us about a line (21614: not a mobile; 21211: not a number): calls, not SMS. */
export async function markLineType(db: Db | Tx, ref: { customerId: string; phone: string }, lineType: 'landline' | 'unknown'): Promise<void> {
  // only while the resident still has this number
  await db.customer.updateMany({ where: { id: ref.customerId, phone: ref.phone }, data: { lineType } });
}

export interface ResidentRecord {
  name: string;
  phone: string;
  lineType: 'mobile' | 'landline' | 'unknown';
  address: string | null;
  deliveryNotes: string | null;
  notes: string | null;
  deliveryByDefault: boolean;
  preferredChannel: 'sms' | 'voice';
  secondaryContactName: string | null;
  secondaryContactPhone: string | null;
}

/**
 * A resident created or edited by the switchboard: phones checked and normalised, an unknown line
 * type guessed from the number, one resident per phone in a group.
 */
export async function saveResident(tx: Tx, ref: { groupId: string; customerId: string | null }, input: ResidentRecord, actor: Actor) {
  const phone = customerPhone(input.phone);
  const data = {
    ...input,
    phone,
    secondaryContactPhone: input.secondaryContactPhone ? customerPhone(input.secondaryContactPhone) : null,
    lineType: input.lineType === 'unknown' ? lineTypeOf(phone) : input.lineType,
  };
  try {
    let saved;
    if (ref.customerId) {
      const own = await tx.customer.findFirst({ where: { id: ref.customerId, groupId: ref.groupId }, select: { id: true } });
      if (!own) throw new NotFoundError('customer', { customerId: ref.customerId });
      saved = await tx.customer.update({ where: { id: own.id }, data });
    } else {
      saved = await tx.customer.create({ data: { groupId: ref.groupId, ...data } });
    }
    await auditStaff(tx, actor, { groupId: ref.groupId, action: ref.customerId ? 'customer.updated' : 'customer.created', entityType: 'Customer', entityId: saved.id });
    return saved;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('a resident already has this phone', 'already_taken', 409, { what: 'customer' });
    throw err;
  }
}
