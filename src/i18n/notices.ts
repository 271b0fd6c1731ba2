// Every notice the service sends on its own (not a reply): to residents, their contacts, the
// delivery lead and couriers. Short, polite, GSM-7 once passed through toGsm7 (sent that way).
// Residents on a landline hear the `spoken` form in a short call.
import { DateTime } from 'luxon';
import { euros, hourLabel } from './sms.js';
import { nationalPhone } from '../platform/phone.js';
import { atPlace, spokenEuros, spokenWhen } from './voice.js';

/** "ven. 4/12 14h-17h": compact, for the delivery lead's and couriers' SMS. */
export function shortWhen(start: Date, end: Date, timeZone: string): string {
  const s = DateTime.fromJSDate(start, { zone: timeZone }).setLocale('fr');
  const e = DateTime.fromJSDate(end, { zone: timeZone }).setLocale('fr');
  return `${s.toFormat('ccc')} ${s.day}/${s.month} ${hourLabel(s)}-${hourLabel(e)}`;
}

/** A notice in both forms: the SMS text and the sentence said in a call. */
export interface NoticeText {
  sms: string;
  spoken: string;
}

const both = (text: string, spoken = text): NoticeText => ({ sms: text, spoken });

export const residentNotice = {
  confirmed: (basket: number, totalCents: number, estimated: boolean, when: string, place: string): NoticeText => ({
    sms: `Commande confirmée, panier ${basket}. Total ${estimated ? 'environ ' : ''}${euros(totalCents)}. Retrait ${when}, ${place}. Merci !`,
    spoken: `Votre commande est confirmée. Panier numéro ${basket}. Total ${estimated ? 'environ ' : ''}${spokenEuros(totalCents)}. Retrait ${spokenWhen(when)}, ${atPlace(place)}.`,
  }),
  /** an order to be delivered is never told "Retrait": the delivery slot, when there is one */
  confirmedDelivery: (basket: number, totalCents: number, estimated: boolean, slot: string | null): NoticeText => ({
    sms: `Commande confirmée, panier ${basket}. Total ${estimated ? 'environ ' : ''}${euros(totalCents)}. Livraison à domicile${slot ? ` ${slot}` : ''}. Merci !`,
    spoken: `Votre commande est confirmée. Panier numéro ${basket}. Total ${estimated ? 'environ ' : ''}${spokenEuros(totalCents)}. Livraison à domicile${slot ? ` ${spokenWhen(slot)}` : ''}.`,
  }),
  finalPrice: (basket: number, finalCents: number): NoticeText => ({
    sms: `Panier ${basket} pesé. Montant final : ${euros(finalCents)}.`,
    spoken: `Votre panier numéro ${basket} est pesé. Montant final : ${spokenEuros(finalCents)}.`,
  }),
  finalPriceCorrected: (basket: number, finalCents: number): NoticeText => ({
    sms: `Correction, panier ${basket}: le montant final est ${euros(finalCents)}. Excusez-nous.`,
    spoken: `Une correction pour votre panier numéro ${basket}. Le montant final est ${spokenEuros(finalCents)}. Excusez-nous.`,
  }),
  distributionCancelled: (basket: number, when: string, phone: string | null): NoticeText => ({
    sms: `La distribution du ${when} est annulée. Votre panier ${basket} est annulé, vous ne payez rien.${phone ? ` Questions: ${phone}.` : ''}`,
    spoken: `La distribution du ${when} est annulée. Votre panier numéro ${basket} est annulé, vous ne payez rien.`,
  }),
  ready: (basket: number, when: string, place: string): NoticeText =>
    both(`Votre panier ${basket} est prêt. Retrait ${when}, ${place}.`, `Votre panier numéro ${basket} est prêt. Retrait ${spokenWhen(when)}, ${atPlace(place)}.`),
  cancelled: (basket: number, phone: string | null): NoticeText =>
    both(`Votre panier ${basket} est annulé.${phone ? ` Questions: ${nationalPhone(phone)}.` : ''}`, `Votre panier numéro ${basket} est annulé.`),
  courierComing: (basket: number, courierFirstName: string, when: string): NoticeText =>
    both(`Votre panier ${basket} sera livré ${when} par ${courierFirstName}.`, `Votre panier numéro ${basket} sera livré ${spokenWhen(when)}, par ${courierFirstName}.`),
  delivered: (basket: number): NoticeText => both(`Votre panier ${basket} a été livré. Merci et bonne journée !`, `Votre panier numéro ${basket} a été livré. Bonne journée.`),
  ordersOpen: (closes: string): NoticeText =>
    both(
      `Les commandes du panier sont ouvertes jusqu'au ${closes}. Envoyez votre liste, ex: 2 baguettes. STOP: plus de SMS.`,
      `Les commandes du panier sont ouvertes, jusqu'au ${closes}. Appelez-nous pour commander.`,
    ),
  lastDay: (closes: string): NoticeText =>
    both(
      `Dernier jour pour commander votre panier: jusqu'à ${closes}. Envoyez votre liste. STOP: plus de SMS.`,
      `C'est le dernier jour pour commander votre panier, jusqu'à ${closes}. Appelez-nous pour commander.`,
    ),
  /** A carer, neighbour or relative gets the same notice, about the resident. */
  forContact: (residentName: string | null, text: NoticeText): NoticeText => ({
    sms: `Pour ${residentName ?? 'votre proche'} : ${text.sms}`,
    spoken: `Message pour ${residentName ?? 'votre proche'}. ${text.spoken}`,
  }),
};

export const voiceNotice = {
  intro: (groupName: string) => `Bonjour, ici ${groupName}.`,
  repeat: () => 'Je répète.',
  replay: () => 'Pour réécouter, tapez 1.',
  goodbye: () => 'Au revoir.',
};

export const leadNotice = {
  newDelivery: (basket: number, commune: string | null, when: string, items: number, courierHint: string) =>
    `Livraison panier ${basket}${commune ? ` - ${commune}` : ''} - ${when} - ${items} article${items > 1 ? 's' : ''}. Répondez A ${basket} ${courierHint} pour l'attribuer.`,
  digest: (when: string, unassigned: string[], assigned: string[]) =>
    `Livraisons ${when}: ${unassigned.length + assigned.length}.` +
    (unassigned.length ? ` A attribuer: ${unassigned.join(', ')}.` : ' Toutes attribuées.') +
    (assigned.length ? ` Attribuées: ${assigned.join(', ')}.` : ''),
  failed: (basket: number, courier: string, reason: string) => `Echec livraison panier ${basket} (${courier}): ${reason}. L'accueil va rappeler la personne.`,
  notAccepted: (basket: number, courier: string) => `Panier ${basket}: ${courier} n'a pas répondu OK ${basket}. Pour réattribuer: A ${basket} NOM.`,
  cancelled: (basket: number) => `Panier ${basket} annulé: ne pas livrer.`,
  distributionCancelled: (when: string, baskets: number[]) => `Distribution ${when} annulée: ne pas livrer les paniers ${baskets.join(', ')}.`,
};

/** To coordinators, when something only a person can fix happened. */
export const staffAlert = {
  leadUnreachable: (leadPhone: string) => `Nos SMS au responsable des livraisons (${leadPhone}) ne passent pas. Voir "A traiter" dans la console.`,
};

export const leadReply = {
  help: () => 'Commandes: A 12 PAUL (attribuer le panier 12 à Paul), A 12 2 (livreur 2 de la liste), LISTE (à attribuer), COURSIERS (les livreurs).',
  assigned: (basket: number, courier: string) => `Panier ${basket} attribué à ${courier}. SMS envoyé.`,
  alreadyAssigned: (basket: number, courier: string) => `Panier ${basket} déjà attribué à ${courier}.`,
  noSuchDelivery: (basket: number) => `Pas de livraison en cours pour le panier ${basket}. LISTE pour les livraisons à attribuer.`,
  noSuchCourier: (hint: string) => `Livreur inconnu: ${hint}. COURSIERS pour la liste.`,
  ambiguousCourier: (hint: string, names: string[]) => `Plusieurs livreurs pour ${hint}: ${names.join(', ')}. Utilisez le numéro (COURSIERS).`,
  finished: (basket: number) => `Le panier ${basket} est déjà livré ou annulé.`,
  list: (items: string[]) => (items.length ? `A attribuer: ${items.join(', ')}.` : 'Toutes les livraisons sont attribuées.'),
  couriers: (names: string[]) => (names.length ? `Livreurs: ${names.map((n, i) => `${i + 1} ${n}`).join(', ')}.` : 'Aucun livreur enregistré.'),
};

export const courierNotice = {
  /** `slot`: the delivery slot promised to the resident */
  assignment: (o: { basket: number; name: string; address: string; notes: string | null; phone: string; relay: string; when: string; slot?: string | null }) =>
    `Livraison panier ${o.basket}: ${o.name}, ${o.address}.${o.notes ? ` ${o.notes}.` : ''} Tel ${o.phone}. Panier à prendre: ${o.relay}, ${o.when}.${o.slot ? ` A livrer ${o.slot}.` : ''} Répondez OK ${o.basket}, puis LIVRE ${o.basket} ou ECHEC ${o.basket} et la raison.`,
  withdrawn: (basket: number) => `Panier ${basket}: livraison retirée, merci de ne pas la faire.`,
};

export const courierReply = {
  accepted: (basket: number) => `Merci, panier ${basket} accepté.`,
  delivered: (basket: number) => `Panier ${basket} livré, merci !`,
  failed: (basket: number) => `Echec noté pour le panier ${basket}, merci. L'accueil va rappeler la personne.`,
  notYours: (basket: number) => `Le panier ${basket} ne vous est pas attribué.`,
  help: () => 'Répondez OK 12 (accepté), LIVRE 12 (livré) ou ECHEC 12 et la raison.',
};
