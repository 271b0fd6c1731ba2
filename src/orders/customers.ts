import type { Db, Tx } from '../platform/db/client.js';
import { ValidationError } from '../platform/errors.js';
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
