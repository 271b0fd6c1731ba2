// Every sentence a caller hears, in French: short, slow, polite; the explanation first, then the
// key ("Pour commander, tapez 1"). Numbers and dates written the way Twilio's French voices say them.
import { DateTime } from 'luxon';

/** 2350 → "23 euros 50", 100 → "1 euro", 5 → "5 centimes". */
export function spokenEuros(cents: number): string {
  const e = Math.floor(cents / 100);
  const c = cents % 100;
  if (e === 0) return `${c} centime${c > 1 ? 's' : ''}`;
  const euros = `${e} euro${e > 1 ? 's' : ''}`;
  return c === 0 ? euros : `${euros} ${c}`;
}

/** "vendredi 4 décembre, de 16 heures à 19 heures" */
export function spokenPickup(start: Date, end: Date, timeZone: string): string {
  const s = DateTime.fromJSDate(start, { zone: timeZone }).setLocale('fr');
  const e = DateTime.fromJSDate(end, { zone: timeZone }).setLocale('fr');
  const hour = (d: DateTime) => (d.minute === 0 ? `${d.hour} heures` : `${d.hour} heures ${d.minute}`);
  return `${s.toFormat('cccc d LLLL')}, de ${hour(s)} à ${hour(e)}`;
}

export function spokenGrams(g: number): string {
  if (g >= 1000) {
    const kg = Math.floor(g / 1000);
    const rest = g % 1000;
    return rest === 0 ? `${kg} kilo${kg > 1 ? 's' : ''}` : rest === 500 ? `${kg} kilo${kg > 1 ? 's' : ''} et demi` : `${kg} kilo${kg > 1 ? 's' : ''} ${rest}`;
  }
  return `${g} grammes`;
}

/** A word in the plural: baguette → baguettes, poireau → poireaux, cheval → chevaux; oeufs stays. */
function plural(word: string): string {
  if (/[sxz]$/i.test(word)) return word;
  if (/(eau|eu)$/i.test(word)) return `${word}x`;
  if (/al$/i.test(word)) return `${word.slice(0, -2)}aux`;
  return `${word}s`;
}

/**
 * A quantity and a product name as said aloud: "2 baguettes tradition", "1 boîte de 6 oeufs",
 * "2 paquets de 4 yaourts nature". Parentheses are never read; the pack they name is said instead.
 */
export function spokenItem(quantity: number, name: string): string {
  const pack = /\((?:boîte|boite) de (\d+)\)|\(par (\d+)\)/i.exec(name);
  const base = name.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  if (pack) {
    const size = pack[1] ?? pack[2];
    const unit = pack[1] ? 'boîte' : 'paquet';
    return `${quantity} ${quantity > 1 ? plural(unit) : unit} de ${size} ${base.toLowerCase()}`;
  }
  if (quantity <= 1) return `${quantity} ${base}`;
  // the noun and the adjective right after it agree: "2 poulets fermiers"; "2 pains de campagne"
  const words = base.split(' ');
  const adjective = words[1] && /^(fermier|fermière|nature|doux|frais|vert|verte|blanc|rouge|tressé|tressée|moulu)$/i.test(words[1]);
  words[0] = plural(words[0]!);
  if (adjective) words[1] = plural(words[1]!);
  return `${quantity} ${words.join(' ')}`;
}

/**
 * What the printed catalogue sheet says about ordering by phone, built from the menu's own keys so
 * that the paper and the menu cannot disagree.
 */
export function sheetInstructions(keys: { order: string; byCode: string; add: string; changeQuantity: string; finish: string; confirm: string }): string {
  return `Par téléphone, tapez ${keys.order} pour commander, puis ${keys.byCode} pour les numéros du catalogue, puis le numéro du produit et dièse, puis ${keys.add} pour l’ajouter (ou ${keys.changeQuantity} pour changer la quantité). Pour terminer, tapez ${keys.finish} et dièse, puis ${keys.confirm} pour confirmer.`;
}

/** Relay names that take "la" (or "l'"), and those that take "le" ("au"): the usual words for a shop or a hall. */
const FEMININE = /^(épicerie|epicerie|boulangerie|mairie|ferme|salle|maison|boutique|pharmacie|place|école|ecole|halle|coopérative|cooperative|supérette|superette|poste|crèmerie|cremerie|fromagerie|boucherie|librairie|cave|grange|gare)(?=[\s,'’-]|$)/i;
const MASCULINE = /^(bar|café|cafe|marché|marche|magasin|local|foyer|point|relais|garage|commerce|bureau|centre|tabac|moulin|lavoir|presbytère|presbytere)(?=[\s,'’-]|$)/i;

/**
 * "à l'Épicerie du centre", "au Café de la place", "à la Mairie": a place name with its article, as
 * it is said. A name that already has one ("La Grange", "Le Relais") is contracted ("au Relais").
 */
export function atPlace(name: string): string {
  const n = name.trim();
  const m = /^(le|la|les|l['’])\s*(.*)$/i.exec(n);
  if (m) {
    const article = m[1]!.toLowerCase();
    return article === 'le' ? `au ${m[2]}` : article === 'les' ? `aux ${m[2]}` : article === 'la' ? `à la ${m[2]}` : `à l’${m[2]}`;
  }
  if (/^[aeiouyhàâéèêëîïôöûüœ]/i.test(n) && (FEMININE.test(n) || MASCULINE.test(n) || !/^h/i.test(n))) return `à l’${n}`;
  if (FEMININE.test(n)) return `à la ${n}`;
  if (MASCULINE.test(n)) return `au ${n}`;
  return `à ${n}`;
}

/** A written time range said aloud: "vendredi 4 décembre 16h-19h30" → "vendredi 4 décembre, de 16 heures à 19 heures 30". */
export function spokenWhen(written: string): string {
  const hour = (h: string, m: string | undefined) => `${h} heures${m ? ` ${m}` : ''}`;
  return written.replace(/\s*(\d{1,2})h(\d{2})?-(\d{1,2})h(\d{2})?/g, (_all, h1: string, m1: string | undefined, h2: string, m2: string | undefined) => `, de ${hour(h1, m1)} à ${hour(h2, m2)}`);
}

const CIVILITY: [RegExp, string][] = [
  [/^(?:mr|m)\.?(?=\s)/i, 'Monsieur'],
  [/^mmes?\.?(?=\s)/i, 'Madame'],
  [/^mlle\.?(?=\s)/i, 'Mademoiselle'],
  [/^(?:dr|docteur)\.?(?=\s)/i, 'Docteur'],
];

/** A name as it is said: "Mr Leroy" and "M. Leroy" are "Monsieur Leroy", "Mme Roux" "Madame Roux". */
export function spokenName(name: string): string {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  for (const [abbreviation, word] of CIVILITY) if (abbreviation.test(trimmed)) return trimmed.replace(abbreviation, word);
  return trimmed;
}

export const voice = {
  technicalProblem: () => 'Excusez-nous, un problème technique nous empêche de vous répondre. Merci de rappeler un peu plus tard, ou d’appeler la mairie. Au revoir.',
  /** the call's state was lost mid-call (a restart): the menu starts over */
  lostThread: () => 'Excusez-nous, nous avons perdu le fil de votre appel. Reprenons depuis le début.',
  greeting: (name: string | null, group: string) => (name ? `Bonjour ${spokenName(name)}. Bienvenue au ${group}.` : `Bonjour. Bienvenue au ${group}.`),
  /** orders closed: the first choice is no longer "Pour commander" */
  mainMenu: (orderOpen = true) =>
    `${orderOpen ? 'Pour commander, tapez 1. ' : ''}Pour suivre votre commande, tapez 2. Pour une livraison, tapez 3. Pour parler à quelqu’un, tapez 0.`,
  windowClosed: (opens: string | null) =>
    opens ? `Les commandes sont fermées pour le moment. Elles ouvriront ${opens}.` : 'Il n’y a pas de distribution prévue pour le moment.',
  orderMenu: (hasUsual: boolean) =>
    `${hasUsual ? 'Pour votre panier habituel, tapez 1. ' : ''}Pour les numéros du catalogue, tapez 2. Pour dire votre commande, tapez 3. Pour un message, tapez 4.`,
  usualBasket: (items: string, total: string) => `Votre panier habituel: ${items}. Total ${total}.`,
  noUsualBasket: () => 'Vous n’avez pas encore de panier habituel.',
  /** their basket for this distribution is ordered: what they add goes into it */
  usualAlready: (basket: number) => `Votre panier ${basket} est déjà commandé pour cette distribution. Ce que vous commandez maintenant y sera ajouté.`,
  skipped: (names: string) => `Ces produits ne sont plus proposés: ${names.replace(/\s*\([^)]*\)/g, '')}.`,
  /** nothing is ordered yet: 2 leaves it (back to the main menu) */
  confirmPrompt: () => 'Pour confirmer, tapez 1. Pour annuler, tapez 2.',
  /** in full the first time; once a product is added, the caller knows the way: briefly */
  codePrompt: (first: boolean) => (first ? 'Tapez le numéro du produit, puis dièse.' : 'Autre produit: numéro et dièse. Pour finir: 9 et dièse.'),
  unknownCode: (code: string) => `Le numéro ${code} n’existe pas dans le catalogue.`,
  quantityPrompt: () => 'Combien en voulez-vous ? Tapez le nombre, puis dièse.',
  /**
   * The first product: every choice in full (9 comes with the next one). The next ones, briefly: add,
   * or add and finish; 2 (quantity) and étoile (correct) still work as heard the first time.
   */
  itemReadback: (item: string, price: string, brief = false) =>
    brief
      ? `${item}, ${price}. Pour l’ajouter, 1. Pour l’ajouter et finir, 9.`
      : `${item}, ${price}. Pour l’ajouter, tapez 1. Pour une autre quantité, tapez 2. Pour corriger, tapez étoile.`,
  itemAdded: () => 'C’est ajouté.',
  itemAddedAs: (item: string) => `${item}: c’est ajouté.`,
  correctCode: () => 'Ce produit n’est pas ajouté.',
  emptyCart: () => 'Votre commande est vide.',
  review: (items: string, total: string) => `Votre commande: ${items}. Total ${total}.`,
  speechPrompt: () => 'Dites maintenant votre commande, par exemple: deux baguettes et un kilo de pommes. Prenez votre temps, puis attendez.',
  speechReadback: (items: string, total: string) => `J’ai compris: ${items}. Total ${total}.`,
  speechChoice: () => 'Pour confirmer, tapez 1. Pour recommencer, tapez 2. Pour laisser plutôt un message, tapez 3.',
  speechNotUnderstood: () => 'Je n’ai pas bien compris.',
  speechUnknown: (words: string) => `Je n’ai pas trouvé: ${words}.`,
  recordPrompt: () => 'Après le bip, dites votre commande, votre nom et votre adresse, puis tapez dièse.',
  recordDone: () => 'Merci, votre message est enregistré. Nous vous rappellerons pour confirmer votre commande. Au revoir.',
  /** the total was said just before the caller confirmed: not again */
  confirmed: (basket: number, pickup: string, place: string) => `Commande confirmée, panier ${basket}. Retrait ${pickup}, ${atPlace(place)}. Au revoir.`,
  /** a resident set to home delivery: the basket is brought to them */
  confirmedDelivery: (basket: number, window: string | null) => `Commande confirmée, panier ${basket}. Livraison à domicile${window ? ` ${window}` : ''}. Au revoir.`,
  /** the order went into the basket the caller already had: its new total, said once */
  addedToBasket: (basket: number, total: string, pickup: string, place: string) => `C’est ajouté à votre panier ${basket}. Nouveau total ${total}. Retrait ${pickup}, ${atPlace(place)}. Au revoir.`,
  outOfStock: (name: string, remaining: number) => {
    if (remaining > 0) return `Il ne reste que ${spokenItem(remaining, name)}.`;
    const base = spokenItem(1, name).replace(/^1 (boîte|paquet) de \d+ /, '').replace(/^1 /, '');
    return /^[aeiouyéèêàâœ]/i.test(base) ? `Il n’y a plus d’${base}.` : `Il n’y a plus de ${base}.`;
  },
  status: (basket: number, status: string, total: string, when: string) => `Panier numéro ${basket}, ${status}. Total ${total}. ${when}.`,
  noOrder: () => 'Vous n’avez pas de commande en cours.',
  backToMenu: () => 'Pour revenir au menu, tapez étoile. Sinon, au revoir.',
  deliveryNoOrder: () => 'Pour une livraison, il faut d’abord une commande.',
  deliveryAddress: (address: string) => `Nous livrerons au ${address}. Pour confirmer, tapez 1. Pour donner une autre adresse, tapez 2.`,
  deliveryRecordAddress: () => 'Après le bip, dites votre adresse, puis tapez dièse.',
  deliveryRequested: (window: string | null) =>
    `C’est noté, votre demande de livraison est transmise${window ? ` pour ${window}` : ''}. Nous vous confirmerons. Au revoir.`,
  deliveryAddressRecorded: () => 'Merci, nous avons votre adresse. Nous vous rappellerons pour confirmer la livraison. Au revoir.',
  transferring: () => 'Je vous passe quelqu’un. Un instant, s’il vous plaît.',
  operatorClosed: (hours: string) => `Le standard est ouvert ${hours}.`,
  operatorUnavailable: () => 'Personne n’est disponible pour le moment.',
  leaveMessage: () => 'Après le bip, laissez votre message et votre numéro, puis tapez dièse. Nous vous rappellerons.',
  messageRecorded: () => 'Merci, votre message est enregistré. Nous vous rappellerons. Au revoir.',
  repeatPrompt: () => 'Je n’ai pas entendu de réponse.',
  invalidKey: () => 'Ce choix n’existe pas.',
  /** silence, again and again */
  goodbye: (ordering = false) => `Nous n’avons pas de réponse. ${ordering ? 'Nous allons vous rappeler pour votre commande.' : 'Vous pouvez nous rappeler quand vous voulez.'} Au revoir.`,
  /** keys that are no choice, again and again: not the same as silence */
  goodbyeInvalid: (ordering = false) =>
    `Ces touches ne correspondent à aucun choix. ${ordering ? 'Nous allons vous rappeler pour votre commande.' : 'Rappelez-nous et tapez 0 pour parler à quelqu’un.'} Au revoir.`,
  goodbyeSimple: () => 'Merci de votre appel. Au revoir.',
};

// said after "Panier numéro N," (a panier: masculine, as in the SMS "Panier 12: confirmé")
export const VOICE_STATUS: Record<string, string> = {
  confirmed: 'confirmé',
  ready: 'prêt',
  collected: 'retiré',
  delivered: 'livré',
};
