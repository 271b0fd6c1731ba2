// What the delivery lead and couriers text back, read. Pure.
import { fold } from '../catalog/reading/normalize.js';

export type LeadCommand =
  | { kind: 'assign'; basket: number; courier: { byNumber: number } | { byName: string } }
  | { kind: 'list' }
  | { kind: 'couriers' }
  | { kind: 'help' };

export type CourierCommand =
  | { kind: 'accept'; basket: number }
  | { kind: 'delivered'; basket: number }
  | { kind: 'failed'; basket: number; reason: string }
  | { kind: 'help' };

const words = (text: string) => fold(text).replace(/[^a-z0-9 ]+/g, ' ').trim().split(/\s+/).filter(Boolean);

/** "A 12 PAUL", "a12 2", "attribuer 12 a paul", "LISTE", "COURSIERS"; anything else: help. */
export function readLeadCommand(text: string): LeadCommand {
  const w = words(text.replace(/^\s*([aA])(\d)/, '$1 $2'));
  const head = w[0] ?? '';
  if (['liste', 'list', 'l'].includes(head) && w.length === 1) return { kind: 'list' };
  if (['coursiers', 'coursier', 'livreurs', 'livreur', 'c'].includes(head) && w.length === 1) return { kind: 'couriers' };
  if ((head === 'a' || head === 'attribuer' || head === 'attribue') && w[1] && /^\d+$/.test(w[1])) {
    const rest = w.slice(2).filter((x) => x !== 'a' && x !== 'pour');
    if (rest.length === 0) return { kind: 'help' };
    const basket = Number(w[1]);
    if (rest.length === 1 && /^\d+$/.test(rest[0]!)) return { kind: 'assign', basket, courier: { byNumber: Number(rest[0]) } };
    return { kind: 'assign', basket, courier: { byName: rest.join(' ') } };
  }
  return { kind: 'help' };
}

const COURIER_WORDS: Record<string, 'accept' | 'delivered' | 'failed'> = {
  ok: 'accept', oui: 'accept', accepte: 'accept',
  livre: 'delivered', livree: 'delivered', livres: 'delivered',
  echec: 'failed', echoue: 'failed', absent: 'failed',
};

/** Whether a text is meant as a courier's command (else a courier texting as a resident). */
export function looksLikeCourierCommand(text: string): boolean {
  const head = words(text)[0] ?? '';
  return head in COURIER_WORDS;
}

/** "OK 12", "LIVRE 12", "ECHEC 12 absent"; a keyword without basket number: help. */
export function readCourierCommand(text: string): CourierCommand {
  const original = text.trim().replace(/\s+/g, ' ');
  const w = words(original);
  const kind = COURIER_WORDS[w[0] ?? ''];
  const basket = w[1] && /^\d+$/.test(w[1]) ? Number(w[1]) : null;
  if (!kind || basket === null) return { kind: 'help' };
  if (kind === 'failed') {
    // the reason in the courier's own words, after the number
    const reason = original.replace(/^\S+\s+\d+\s*[:,-]?\s*/, '').slice(0, 200) || (w[0] === 'absent' ? 'absent' : 'non précisée');
    return { kind: 'failed', basket, reason };
  }
  return { kind, basket };
}

/** The courier the lead means: by number in the COURSIERS list, or by (first) name, accents and case aside. */
export function pickCourier<C extends { name: string }>(
  couriers: C[],
  ref: { byNumber: number } | { byName: string },
): { found: C } | { ambiguous: C[] } | { none: true } {
  if ('byNumber' in ref) {
    const c = couriers[ref.byNumber - 1];
    return c ? { found: c } : { none: true };
  }
  const wanted = fold(ref.byName).trim();
  const exact = couriers.filter((c) => fold(c.name) === wanted);
  if (exact.length === 1) return { found: exact[0]! };
  const byWord = couriers.filter((c) => fold(c.name).split(/\s+/).some((part) => part === wanted || part.startsWith(wanted)));
  if (byWord.length === 1) return { found: byWord[0]! };
  if (byWord.length > 1) return { ambiguous: byWord };
  return { none: true };
}

/** "Paul" from "Paul Martin": residents are told the courier's first name only. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

/** The commune of a French address: the words after the postcode, else the last part after a comma. */
export function communeOf(address: string): string | null {
  const afterPostcode = /\b\d{5}\s+([^,\n]+)/.exec(address);
  if (afterPostcode) return afterPostcode[1]!.trim();
  const parts = address.split(',').map((p) => p.trim()).filter(Boolean);
  return parts.length > 1 ? parts[parts.length - 1]! : null;
}
