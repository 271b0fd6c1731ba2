// What an inbound SMS asks for: a keyword (first word, any case or accent) or an order. Pure.
import { fold } from '../catalog/reading/normalize.js';

export type SmsIntent =
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'catalogue'; topic: string }
  | { kind: 'next_page' }
  | { kind: 'yes' }
  | { kind: 'no' }
  | { kind: 'status' }
  /** `basket`: the basket named ("ANNULER 6", "annuler le panier 6") */
  | { kind: 'cancel'; basket?: number }
  | { kind: 'delivery'; address: string }
  | { kind: 'number'; value: number }
  | { kind: 'text'; text: string };

const STOP = new Set(['stop', 'arret', 'arrete', 'arreter', 'stopall', 'desinscription', 'desabonner', 'desabonnement', 'unsubscribe', 'end', 'quit', 'cancel']);
const START = new Set(['start', 'unstop', 'reprendre']);
const HELP = new Set(['aide', '?', 'info', 'infos', 'help']);
const CATALOGUE = new Set(['catalogue', 'catalog', 'menu', 'liste', 'produits', 'produit', 'tarifs']);
const YES = new Set(['oui', 'ok', 'okay', 'o', 'ouais', 'yes', 'daccord', "d'accord", 'dac', 'confirme', 'confirmer', 'valider', 'valide', 'parfait', 'oki']);
const NO = new Set(['non', 'n', 'no', 'nan']);
const STATUS = new Set(['suivi', 'statut', 'status', 'commande', 'etat']);

/** "où en est ma commande", "c'est quoi ma commande", "qu'est-ce que j'ai commandé ?", "ma commande ?" */
const WHERE_IS_MY_ORDER = /ou en est ma commande|ma commande en est ou|ou en est mon panier|^(?:c est )?quoi (?:dans )?ma commande|^qu est ce que j ai commande|^(?:et )?ma commande ?\?*$|^mon panier ?\?+$|^(?:quel est |c est combien |combien )?(?:le|mon) total\b|\bcombien en tout\b|\bje (?:vous )?dois combien\b|\bcombien (?:je )?(?:vous )?dois\b/;

/** Words that add politeness or approval to a yes, nothing to order or ask. */
const COURTESY = new Set([
  'c', 'est', 'cest', 'ca', 'me', 'nous', 'va', 'convient', 'tres', 'bien', 'bon', 'parfait', 'super', 'impeccable', 'nickel', 'genial',
  'merci', 'beaucoup', 'mille', 'fois', 'bcp', 'mrc', 'mci', 'madame', 'monsieur', 'bonne', 'journee', 'soiree', 'fin', 'de', 'a', 'vous', 'aussi',
  'cordialement', 'bisous', 'bientot', 'ok', 'oui', 'daccord', 'd', 'accord', 'tout', 'pour', 'moi', 'confirme', 'je', 'valide', 'svp', 'plait', 's', 'il',
]);

/**
 * Asking for no more messages in one's own words: "je ne veux plus recevoir de SMS", "arrêtez de
 * m'envoyer des messages", "plus de sms svp", "désabonnement". Messages must be named, or the
 * words be about unsubscribing: "je ne veux plus le pain" removes bread, "je n'ai plus reçu de SMS"
 * is a complaint.
 */
const OPT_OUT_SENTENCE = /\b(?:ne (?:(?:veu[xt]|voudrai[st]?|souhaite|desire)s? )?plus (?:recevoir|avoir) (?:\w+ ){0,3}|(?:arrete[rz]?|cessez|stoppez) (?:de (?:m |nous )?(?:envoyer|ecrire) )?(?:\w+ ){0,3}|plus (?:aucun|de) (?:\w+ ){0,2})(?:sms|messages?|textos?)\b/;
const UNSUBSCRIBE = /^(?:je veux |je voudrais |merci de |pouvez vous )?(?:me |nous )?(?:desabonne\w*|desinscri\w*)(?: (?:moi|svp|merci|s il vous plait))*$/;
const MESSAGE_WORDS = new Set(['sms', 'message', 'messages', 'texto', 'textos', 'les', 'vos', 'des']);

/** An opt-out in a resident's own words; a STOP word in a longer sentence is not one ("stop les croissants"). */
function asksToStop(folded: string, words: string[]): boolean {
  if (/\d/.test(folded)) return false;
  const plain = folded.replace(/['’]/g, ' ').replace(/[^a-z ]+/g, ' ').replace(/\s+/g, ' ').trim();
  // "Stop svp", "STOP merci", "stop les sms merci"
  if (STOP.has(words[0]!.replace(/[^a-z]/g, '')) && words.slice(1).every((w) => MESSAGE_WORDS.has(w.replace(/[^a-z]/g, '')) || onlyCourtesy([w]))) return true;
  return OPT_OUT_SENTENCE.test(plain) || UNSUBSCRIBE.test(plain);
}

function onlyCourtesy(words: string[]): boolean {
  const parts = words.flatMap((w) => w.split(/['’]/)).map((w) => w.replace(/[^a-z]/g, '')).filter(Boolean);
  return parts.length <= 12 && parts.every((w) => COURTESY.has(w));
}

/** Reads the first word (and, for a few, the whole text) of an SMS. */
export function readIntent(body: string): SmsIntent {
  const text = body.trim();
  const folded = fold(text).replace(/[!.,;:]+$/g, '').trim();
  const words = folded.split(/\s+/).filter(Boolean);
  const first = (words[0] ?? '').replace(/[!.,;:]+$/, '');
  const rest = text.split(/\s+/).slice(1).join(' ').trim();
  if (words.length === 0) return { kind: 'text', text: '' };
  // STOP words count alone only, as carriers treat them ("stop" inside a sentence is not an opt-out)
  if (words.length === 1 && STOP.has(first)) return { kind: 'stop' };
  if (asksToStop(folded, words)) return { kind: 'stop' };
  if (words.length === 1 && START.has(first)) return { kind: 'start' };
  if (HELP.has(first) && words.length <= 2) return { kind: 'help' };
  if (CATALOGUE.has(first)) return { kind: 'catalogue', topic: fold(rest).trim() };
  if (first === 'suite' && words.length <= 2) return { kind: 'next_page' };
  // "oui", "oui merci", "ok d'accord", "d'accord", "Oui c'est parfait merci beaucoup Madame"
  if ((YES.has(first) || folded.startsWith("d'accord")) && !/\d/.test(folded) && (words.length <= 4 || onlyCourtesy(words.slice(1)))) return { kind: 'yes' };
  if (NO.has(first) && words.length <= 3 && !/\d/.test(folded)) return { kind: 'no' };
  if ((STATUS.has(first) && words.length <= 3 && !/\d/.test(folded)) || WHERE_IS_MY_ORDER.test(folded.replace(/['’-]/g, ' '))) return { kind: 'status' };
  if (first === 'annuler' || first === 'annule' || first === 'annulation') {
    const basket = basketNamedIn(folded.split(/\s+/).slice(1).join(' '));
    return basket === null ? { kind: 'cancel' } : { kind: 'cancel', basket };
  }
  if (first === 'livraison' || first === 'livrer' || first === 'livrez') return { kind: 'delivery', address: rest };
  if (/^\d{1,2}$/.test(folded)) return { kind: 'number', value: Number(folded) };
  return { kind: 'text', text };
}

/** The basket a resident names: "6", "le panier 6", "panier n°6", "panier numero 6". */
export function basketNamedIn(folded: string): number | null {
  const m = /^(?:(?:le|mon)\s+)?(?:panier\s*)?(?:(?:n|no|n°|num|numero)\.?\s*)?(\d{1,4})$/.exec(folded.trim()) ?? /\bpanier\s*(?:(?:n|no|n°|num|numero)\.?\s*)?(\d{1,4})\b/.exec(folded);
  return m ? Number(m[1]) : null;
}
