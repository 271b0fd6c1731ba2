// What one SMS asks for: a keyword (keywords.ts) first, then the resident's own words
// (catalog/reading/requests.ts). Pure: the conversation dispatches on the result.
import { addressIn, type Request, type RequestReader } from '../catalog/reading/requests.js';
import type { ReadResult } from '../catalog/reading/types.js';
import { fold } from '../catalog/reading/normalize.js';
import { readIntent, type SmsIntent } from './keywords.js';

export type ConversationIntent = Exclude<SmsIntent, { kind: 'text' }> | Request;

export interface IntentContext {
  /** a draft or an addition waits for OUI */
  pending: boolean;
}

/** "ok merci", "parfait merci", "oui c'est parfait merci": a yes when something waits for OUI, thanks otherwise. */
const ACKNOWLEDGEMENT = /^(ok|okay|oki|parfait|super|tres bien|ouais)\b.*\b(merci|mrc|mci)\b|^oui\b.*\S+\s+(merci|mrc|mci)\b/;

export function readSmsIntent(body: string, readRequest: RequestReader, ctx: IntentContext): ConversationIntent {
  const keyword = readIntent(body);
  const f = fold(body).replace(/['’]/g, ' ').trim();
  if (keyword.kind === 'yes' && !ctx.pending && ACKNOWLEDGEMENT.test(f)) return { kind: 'thanks' };
  // "LIVRAISON a domicile svp": an address only when the words look like one
  if (keyword.kind === 'delivery') {
    const r = readRequest(body);
    if (r.kind === 'order') return r;
    const rest = keyword.address.trim();
    return { kind: 'delivery', address: addressIn(rest) || (/\d/.test(rest) && rest.length >= 6 ? rest : '') };
  }
  if (keyword.kind !== 'text') return keyword;
  return readRequest(body);
}

/** Two texts are the same order when they read the same once case, accents and spacing are set aside. */
export function sameText(a: string, b: string): boolean {
  const norm = (t: string) => fold(t).replace(/[^a-z0-9]+/g, ' ').trim();
  return norm(a) === norm(b) && norm(a) !== '';
}

/** Words that ask for more of what was ordered: "encore 2 baguettes" adds, it is no re-send. */
const MORE = /\b(encore|aussi|en plus|de plus|egalement|rajout\w*|ajout\w*|supplement\w*|autres?)\b/;

function linesKey(read: ReadResult): string {
  return read.lines
    .map((l) => `${l.product.id}:${l.quantity}:${l.requestedGrams ?? ''}`)
    .sort()
    .join('|');
}

/**
 * A re-sent order in other words ("bonjour 2 baguettes merci", then "2 baguettes svp"): the new
 * text reads to exactly the lines of the one before, asks for nothing else (no unknown word, no
 * question, the same delivery wish) and says no "encore". Then it is the same order, not twice as much.
 */
export function sameOrder(previousText: string, current: Extract<Request, { kind: 'order' }>, currentText: string, readRequest: RequestReader): boolean {
  if (sameText(previousText, currentText)) return true;
  if (MORE.test(fold(currentText).replace(/['’]/g, ' '))) return false;
  const previous = readRequest(previousText);
  if (previous.kind !== 'order') return false;
  const a = previous.read;
  const b = current.read;
  if (a.lines.length === 0 || a.questions.length > 0 || b.questions.length > 0) return false;
  if ([...b.unknown].sort().join('|') !== [...a.unknown].sort().join('|')) return false;
  return Boolean(previous.delivery) === Boolean(current.delivery) && linesKey(a) === linesKey(b);
}
