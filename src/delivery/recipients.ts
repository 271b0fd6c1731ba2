// Who gets a notice, by which channel and from which sender. Pure.
import { toGsm7 } from '../i18n/gsm7.js';
import { residentNotice, type NoticeText } from '../i18n/notices.js';
import { lineTypeOf } from '../platform/phone.js';
import { countSegments } from '../sms/segments.js';
import { PRIORITY } from './sender.js';

export type RecipientRole = 'resident' | 'contact' | 'lead' | 'courier' | 'coordinator';

export interface Notice {
  kind: string;
  role: RecipientRole;
  to: string;
  channel: 'sms' | 'voice';
  text: NoticeText;
  customerId: string | null;
  orderId: string | null;
  /** the person is asked to answer (dispatch): sent from a number that takes replies */
  expectsReply: boolean;
  priority: number;
}

export interface ResidentContact {
  id: string;
  name: string | null;
  phone: string;
  lineType: string;
  preferredChannel: string;
  smsOptedOut: boolean;
  secondaryContactName?: string | null;
  secondaryContactPhone: string | null;
}

const isLandline = (phone: string, lineType?: string) => lineType === 'landline' || (lineType !== 'mobile' && lineTypeOf(phone) === 'landline');

/**
 * The resident (by SMS, or a call for landlines and those who prefer the voice) and their secondary
 * contact, when they have one, "Pour Mme Martin : …".
 */
export function residentNotices(
  customer: ResidentContact,
  text: NoticeText,
  base: { kind: string; orderId: string | null; priority?: number; resident?: boolean; contact?: boolean },
): Notice[] {
  const priority = base.priority ?? PRIORITY.notice;
  const out: Notice[] = [];
  if (base.resident !== false) {
    const voice = isLandline(customer.phone, customer.lineType) || customer.preferredChannel === 'voice';
    out.push({ kind: base.kind, role: 'resident', to: customer.phone, channel: voice ? 'voice' : 'sms', text, customerId: customer.id, orderId: base.orderId, expectsReply: false, priority });
  }
  const contact = customer.secondaryContactPhone;
  if (base.contact !== false && contact && contact !== customer.phone) {
    out.push({
      kind: base.kind, role: 'contact', to: contact, channel: isLandline(contact) ? 'voice' : 'sms',
      text: residentNotice.forContact(customer.name, text), customerId: customer.id, orderId: base.orderId, expectsReply: false, priority,
    });
  }
  return out;
}

export interface SenderIdentity {
  smsSenderKind: 'phone_number' | 'messaging_service' | 'alphanumeric';
  smsSender: string | null;
  /** the group's Twilio numbers, oldest first */
  numbers: string[];
}

/**
 * Which sender a message goes from. French rules: an alphanumeric sender cannot be answered, so
 * what expects a reply goes from the group's number; a Messaging Service picks its own number.
 */
export function senderFor(group: SenderIdentity, expectsReply: boolean): string | null {
  const number = group.numbers[0] ?? null;
  switch (group.smsSenderKind) {
    case 'messaging_service':
      return group.smsSender ?? number;
    case 'alphanumeric':
      return expectsReply ? number : (group.smsSender ?? number);
    default:
      return group.smsSender ?? number;
  }
}

/** The row a notice becomes: SMS text kept in GSM-7, the spoken text for a call. */
export function messageBody(n: Notice): { body: string; segments: number; encoding: string } {
  if (n.channel === 'voice') return { body: n.text.spoken, segments: 1, encoding: 'voice' };
  const body = toGsm7(n.text.sms);
  const cost = countSegments(body);
  return { body, segments: cost.segments, encoding: cost.encoding };
}
