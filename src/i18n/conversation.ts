// What the SMS conversation answers beyond ordering: prices, dates, thanks, removals, the usual
// basket, duplicates, long baskets. French, polite (vous), short, written in GSM-7 (no ê ç œ ’).
import { draftTotal, euros } from './sms.js';

export const conversation = {
  greeting: () => 'Bonjour ! Pour commander, envoyez votre liste, ex: 2 baguettes. AIDE pour en savoir plus.',
  thanks: () => 'Avec plaisir ! Bonne journée.',
  /** "Baguette tradition: 1,20 €. Pommes: 2,80 € le kg." */
  /** `pending`: a list awaits their OUI (it is not gone): said instead of how to order */
  prices: (items: { name: string; price: string }[], pending = false) =>
    `${items.map((i) => `${i.name}: ${i.price}.`).join(' ')} ${pending ? 'Votre commande attend votre OUI.' : 'Pour commander, envoyez votre liste.'}`,
  perPiece: (price: string) => `environ ${price} pièce`,
  perPortion: (price: string, grams: number) => `environ ${price} les ${grams} g`,
  priceWhich: () => 'De quel produit voulez-vous le prix ? Ex: combien les pommes. CATALOGUE: tous les prix.',
  priceUnknown: (words: string) => `Nous ne vendons pas "${words}". CATALOGUE: tous les produits et leurs prix.`,
  /** pickup "vendredi 4 décembre 16h-19h", closes "mercredi 2 décembre 20h" */
  when: (pickup: string, place: string, closes: string, delivery: string | null) =>
    `Retrait ${pickup}, ${place}.${delivery ? ` Livraison à domicile ${delivery}.` : ''} Commandes jusqu'au ${closes}.`,
  whenNext: (pickup: string, place: string, opens: string) => `Prochain retrait ${pickup}, ${place}. Commandes à partir du ${opens}.`,
  /** a draft for home delivery: never "Retrait" */
  draftDelivery: (lines: string, totalCents: number, estimated: boolean, fulfilment: string) =>
    `Vous commandez:\n${lines}\n${draftTotal(lines, totalCents, estimated)}${fulfilment}.\nRépondez OUI pour confirmer ou NON pour annuler.`,
  /** a long basket: the count and total, the detail on SUIVI */
  draftShort: (count: number, totalCents: number, estimated: boolean, fulfilment: string) =>
    `Vous commandez ${count} produits, total ${estimated ? 'environ ' : ''}${euros(totalCents)}. ${fulfilment}.\nSUIVI pour le détail. Répondez OUI pour confirmer ou NON pour annuler.`,
  additionShort: (count: number, basket: number, totalCents: number, estimated: boolean) =>
    `Vous ajoutez ${count} produits au panier ${basket}. Nouveau total ${estimated ? 'environ ' : ''}${euros(totalCents)}.\nSUIVI pour le détail. Répondez OUI pour confirmer ou NON pour annuler.`,
  pendingLines: (lines: string) => `A confirmer:\n${lines}\nRépondez OUI pour confirmer ou NON pour annuler.`,
  /** how a draft asking for home delivery says when */
  deliveryWanted: (window: string | null) => (window ? `Livraison à domicile ${window}` : 'Livraison à domicile demandée'),
  duplicate: () => 'Votre panier contient déjà cette liste. Répondez OUI pour confirmer. Pour en ajouter, écrivez par ex: encore 2 baguettes.',
  duplicateConfirmed: () => 'Votre commande contient déjà cette liste. Pour en ajouter, écrivez par ex: encore 2 baguettes.',
  /** a delivery order confirmed: never "Retrait"; no address yet: asked for */
  confirmedDelivery: (basket: number, totalCents: number, estimated: boolean, asked: { address: string; window: string | null } | null) =>
    `Commande confirmée, panier ${basket}. Total ${estimated ? 'environ ' : ''}${euros(totalCents)}. ` +
    (asked
      ? `Livraison demandée au ${asked.address}${asked.window ? `, ${asked.window}` : ''}. Le responsable des livraisons vous confirmera.`
      : "Pour la livraison, répondez LIVRAISON suivi de l'adresse."),
  removedFromDraft: (names: string) => `C'est retiré: ${names}.`,
  draftEmptied: () => "C'est retiré. Votre liste est vide, rien n'est commandé.",
  removed: (names: string, basket: number, totalCents: number, estimated: boolean) =>
    `C'est retiré du panier ${basket}: ${names}. Nouveau total ${estimated ? 'environ ' : ''}${euros(totalCents)}.`,
  notInOrder: (names: string) => `Votre commande ne contient pas: ${names}. SUIVI pour la voir.`,
  usualPrefix: () => 'Comme la dernière fois:',
  noUsual: () => "Nous n'avons pas encore de commande de vous. Envoyez votre liste, ex: 2 baguettes.",
  usualAlready: (basket: number) => `Votre panier ${basket} est déjà commandé pour cette distribution. SUIVI pour le voir.`,
  usualGone: (names: string) => `Plus proposé: ${names}.`,
  nameSavedPending: (name: string) => `Merci ${name}, c'est noté. Votre commande attend votre OUI.`,
  /** the note of the operator's task when someone opted out orders by SMS */
  afterStop: (body: string) => `a écrit après STOP: ${body}`,
  others: (count: number) => `${count} autre${count > 1 ? 's' : ''}`,
  /** a reply cut to its budget of segments */
  more: () => '...',
};

/** "Oeufs, Beurre et Lait cru" */
export function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} et ${names[names.length - 1]}`;
}
