// The one-line notice at first contact (RGPD, information of the person): the first SMS reply to a
// new number carries it, within the SMS budget of three segments.
import { toGsm7 } from '../i18n/gsm7.js';
import { privacyText } from '../i18n/privacy.js';
import type { Tx } from '../platform/db/client.js';
import { nationalPhone } from '../platform/phone.js';
import { countSegments } from '../sms/segments.js';
import { loadPrivacySettings } from './settings.js';

/** The first reply may cost this many SMS segments, notice included. */
export const FIRST_REPLY_MAX_SEGMENTS = 3;

/**
 * The reply with the notice on its last line, or null when it would not fit in the budget (the
 * notice then waits for the next reply). Pure.
 */
export function appendNotice(reply: string, notice: string, maxSegments = FIRST_REPLY_MAX_SEGMENTS): string | null {
  const withNotice = `${reply}\n${notice}`;
  return countSegments(toGsm7(withNotice)).segments <= maxSegments ? withNotice : null;
}

/** The number said in the notice: the group's privacy contact, else its operator. */
export async function infoPhoneOf(tx: Tx, group: { id: string; operatorPhone: string | null }): Promise<string | null> {
  const settings = await loadPrivacySettings(tx, group.id);
  const phone = settings.infoPhone ?? group.operatorPhone;
  return phone ? nationalPhone(phone) : null;
}

/**
 * For the SMS conversation, when this resident was never told: the reply with the notice, or null
 * when it would not fit (the notice then waits for the next reply). The caller marks the resident
 * told in its own write, under the resident's lock, so the notice is given once.
 */
export async function replyWithFirstContactNotice(tx: Tx, group: { id: string; operatorPhone: string | null }, reply: string): Promise<string | null> {
  return appendNotice(reply, privacyText.firstContactSms(await infoPhoneOf(tx, group)));
}

/**
 * For the voice menu: the first call's greeting, followed by the notice when this caller is heard
 * for the first time (an unknown number, or a resident never told); marks them told.
 */
export async function withFirstCallNotice<T extends { prompt: { say: string[] } }>(tx: Tx, customerId: string | null, now: Date, transition: T): Promise<T> {
  if (customerId) {
    const { count } = await tx.customer.updateMany({ where: { id: customerId, privacyNoticeAt: null }, data: { privacyNoticeAt: now } });
    if (count === 0) return transition;
  }
  // after the greeting and any news ("les commandes sont fermées"), before the keys to press
  const said = transition.prompt.say;
  const at = Math.max(said.length - 1, Math.min(1, said.length));
  const say = [...said.slice(0, at), privacyText.firstContactSpoken(), ...said.slice(at)];
  return { ...transition, prompt: { ...transition.prompt, say } };
}

/** The full notice for the printed catalogue sheet, with the group's durations. */
export async function printedPrivacyNotice(db: Tx, group: { id: string; name: string; operatorPhone: string | null }): Promise<string[]> {
  const settings = await loadPrivacySettings(db, group.id);
  return privacyText.fullNotice(group.name, settings, await infoPhoneOf(db, group));
}
