// Every SMS a resident reads, in French, polite (vous), short. Sent through toGsm7 so that no
// character triples the price. "1,20 €" rather than "1,20 EUR": € counts two GSM-7 characters,
// "EUR" with its space four, so the sign is the cheaper of the two.
import { DateTime } from 'luxon';
import { nationalPhone } from '../platform/phone.js';

/** "3, 6 et 7" */
function listOf(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} et ${items[items.length - 1]}`;
}

export function euros(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} €`;
}

/** "16h", "16h30". */
export function hourLabel(d: DateTime): string {
  return d.minute === 0 ? `${d.hour}h` : `${d.hour}h${String(d.minute).padStart(2, '0')}`;
}

/** "1,20 €", "2,80 € le kg", "2,60 € les 100 g": a product's price as written on paper. */
export function unitPriceLabel(priceCents: number, unit: string): string {
  const per = unit === 'kg' ? ' le kg' : unit === 'g100' ? ' les 100 g' : unit === 'litre' ? ' le litre' : '';
  return `${euros(priceCents)}${per}`;
}

/** "vendredi 4 décembre 16h-19h" in the group's time zone. */
export function pickupWhen(start: Date, end: Date, timeZone: string): string {
  const s = DateTime.fromJSDate(start, { zone: timeZone }).setLocale('fr');
  const e = DateTime.fromJSDate(end, { zone: timeZone }).setLocale('fr');
  return `${s.toFormat('cccc d LLLL')} ${hourLabel(s)}-${hourLabel(e)}`;
}

/** "mercredi 2 décembre 20h" */
export function dayAndHour(date: Date, timeZone: string): string {
  const d = DateTime.fromJSDate(date, { zone: timeZone }).setLocale('fr');
  return `${d.toFormat('cccc d LLLL')} ${hourLabel(d)}`;
}

export interface SummaryLine {
  /** "2 Baguette tradition", "1 kg Pommes", "2 x 200 g Comté" */
  label: string;
  cents: number;
  estimated: boolean;
  note?: string;
}

export function summaryLines(lines: SummaryLine[]): string {
  return lines.map((l) => `${l.label} ${l.estimated ? 'environ ' : ''}${euros(l.cents)}${l.note ? ` (${l.note})` : ''}`).join('\n');
}

/** "Total 4,80 €. " under several lines; nothing under one, whose price is the total. */
export function draftTotal(lines: string, totalCents: number, estimated: boolean): string {
  return lines.includes('\n') ? `Total ${estimated ? 'environ ' : ''}${euros(totalCents)}. ` : '';
}

export const sms = {
  /** a count rounded up to whole packs ("4 yaourts" asked as 2): why the quantity differs */
  soldByPack: (packSize: number) => `vendu par ${packSize}`,
  help: () =>
    'Pour commander, envoyez votre liste, ex: 2 baguettes et 1 kg de pommes. CATALOGUE: les produits. SUIVI: votre commande. ANNULER. LIVRAISON + adresse. STOP: plus de SMS.',
  askName: () => 'Pour préparer votre panier, quel est votre nom ?',
  nameSaved: (name: string) => `Merci ${name}, c'est noté.`,
  /** one line already shows its price: no total under it (the reply then fits one SMS) */
  draft: (lines: string, totalCents: number, estimated: boolean, pickup: string, place: string) =>
    `Vous commandez:\n${lines}\n${draftTotal(lines, totalCents, estimated)}Retrait ${pickup}, ${place}.\nRépondez OUI pour confirmer ou NON pour annuler.`,
  /** `estimated`: the basket holds weighed goods, its total is known at the scales */
  addition: (lines: string, basket: number, totalCents: number, estimated: boolean) =>
    `Vous ajoutez au panier ${basket}:\n${lines}\nNouveau total ${estimated ? 'environ ' : ''}${euros(totalCents)}.\nRépondez OUI pour confirmer ou NON pour annuler.`,
  confirmed: (basket: number, totalCents: number, estimated: boolean, pickup: string, place: string) =>
    `Commande confirmée, panier ${basket}. Total ${estimated ? 'environ ' : ''}${euros(totalCents)}. Retrait ${pickup}, ${place}.${estimated ? ' Prix exact à la pesée.' : ''} Merci !`,
  added: (basket: number, totalCents: number, estimated: boolean) => `Ajout confirmé au panier ${basket}. Nouveau total ${estimated ? 'environ ' : ''}${euros(totalCents)}. Merci !`,
  draftDropped: () => "C'est annulé, rien n'est commandé.",
  additionDropped: (basket: number) => `L'ajout est annulé. Votre panier ${basket} reste comme avant.`,
  nothingToConfirm: () => "Il n'y a rien à confirmer. Envoyez votre liste, ex: 2 baguettes.",
  notUnderstood: () => "Je n'ai pas compris. Envoyez votre liste, ex: 2 baguettes et 1 kg de pommes, ou AIDE.",
  unknownItems: (words: string[]) => `Pas au catalogue: ${words.join(', ')}.`,
  whichProduct: (phrase: string, options: string[]) => `Pour "${phrase}": ${options.map((o, i) => `${i + 1} ${o}`).join(', ')}. Répondez avec le numéro.`,
  howMany: (phrase: string) => `Combien pour "${phrase}" ? Répondez avec un nombre, ex: 3 ${phrase}.`,
  choiceNotUnderstood: (count: number) => `Répondez avec un numéro de 1 à ${count}, ou NON pour laisser.`,
  windowClosed: (opens: string, closes: string) => `Les commandes sont fermées. Prochaines commandes du ${opens} au ${closes}.`,
  noDistribution: (phone: string | null) => `Pas de distribution prévue pour le moment.${phone ? ` Renseignements au ${nationalPhone(phone)}.` : ''}`,
  notYetOpen: (opens: string) => `Les commandes ouvrent ${opens}. Merci de renvoyer votre liste à ce moment-là.`,
  outOfStock: (name: string, remaining: number) =>
    remaining > 0 ? `Il ne reste que ${remaining} ${name}. Répondez OUI pour en prendre ${remaining}, NON pour annuler.` : `Plus de ${name}, désolé. Il est retiré de votre liste.`,
  status: (basket: number, statusLabel: string, totalCents: number, final: boolean, when: string) =>
    `Panier ${basket}: ${statusLabel}, ${final ? '' : 'environ '}${euros(totalCents)}. ${when}.`,
  noOrder: () => "Vous n'avez pas de commande en cours. Envoyez votre liste pour commander.",
  cancelAsk: (basket: number, totalCents: number) => `Annuler le panier ${basket} (${euros(totalCents)}) ? Répondez OUI pour annuler, NON pour le garder.`,
  cancelled: (basket: number) => `Panier ${basket} annulé.`,
  cancelWhich: (baskets: number[]) =>
    `Vous avez les paniers ${listOf(baskets.map(String))}. Lequel annuler ? Répondez par exemple ANNULER ${baskets[baskets.length - 1]}.`,
  /** no basket of theirs bears that number; `baskets` their baskets (none: a list awaits their OUI) */
  noSuchBasket: (basket: number, baskets: number[]) =>
    `Vous n'avez pas de panier ${basket} en cours. ${baskets.length > 1 ? `Vos paniers: ${listOf(baskets.map(String))}.` : baskets.length === 1 ? `Votre panier: ${baskets[0]}.` : 'Votre commande attend votre OUI.'}`,
  kept: () => 'Votre commande est gardée.',
  cancelTooLate: (phone: string | null) => `Les commandes sont closes: on ne peut plus annuler par SMS.${phone ? ` Appelez le ${nationalPhone(phone)}.` : ''}`,
  deliveryAskAddress: () => "A quelle adresse livrer ? Répondez LIVRAISON suivi de l'adresse.",
  deliveryRequested: (address: string, window: string | null) =>
    `Livraison demandée au ${address}${window ? `, ${window}` : ''}. Le responsable des livraisons vous confirmera.`,
  deliveryNoOrder: () => "Commandez d'abord, puis envoyez LIVRAISON et votre adresse.",
  stopped: () => 'Vous ne recevrez plus nos SMS. Envoyez START pour les recevoir à nouveau.',
  started: () => "C'est noté, vous recevez de nouveau nos SMS.",
  catalogueCategories: (categories: string[]) => `Catalogue: ${categories.join(', ')}. Envoyez CATALOGUE et un rayon, ex: CATALOGUE ${categories[0] ?? 'PAIN'}.`,
  cataloguePage: (lines: string[], more: boolean) => `${lines.join('\n')}${more ? '\nSUITE pour la suite.' : ''}`,
  catalogueUnknown: (word: string) => `Pas de rayon "${word}". Envoyez CATALOGUE pour la liste.`,
  catalogueEnd: () => 'Fin du catalogue. Envoyez votre liste pour commander.',
};

export const STATUS_LABELS: Record<string, string> = {
  confirmed: 'confirmé',
  ready: 'prêt',
  collected: 'retiré',
  delivered: 'livré',
  cancelled: 'annulé',
  draft: 'à confirmer',
};
