// What a resident (or their carer) reads or hears about their personal data (RGPD): the one-line
// notice at first contact, the answer to DONNEES, the carer's notice, the full notice printed on
// the catalogue sheet and the headings of a resident's data export. SMS text goes through toGsm7.
import { DateTime } from 'luxon';
import type { NoticeText } from './notices.js';

export interface RetentionWords {
  recordingRetentionDays: number;
  messageRetentionMonths: number;
  inactiveResidentMonths: number;
}

export const privacyText = {
  /** appended to the first SMS reply to a new number: one line, GSM-7, about 70 characters */
  firstContactSms: (infoPhone: string | null) =>
    `Vos données servent à vos commandes. Infos : ${infoPhone ? `${infoPhone} ou ` : ''}DONNEES`,
  /** said after the greeting of a caller's first call (0 reaches a person) */
  firstContactSpoken: () => 'Vos données servent seulement à vos commandes. Pour en savoir plus, tapez 0 et demandez le standard.',
  /** the answer to DONNEES or "mes données": what we keep, and that the mairie answers within a month */
  dataRequestReply: (w: RetentionWords, infoPhone: string | null) =>
    `Nous gardons votre nom, numéro, adresse et commandes pour vos paniers. Messages effacés après ${w.messageRetentionMonths} mois. ` +
    `Votre demande est transmise : copie ou effacement, réponse sous 1 mois.${infoPhone ? ` Tél : ${infoPhone}` : ''}`,
  /** to the carer, once, when they are added */
  carerInformed: (residentName: string | null, infoPhone: string | null): NoticeText => {
    const who = residentName ?? 'Une personne';
    return {
      sms: `${who} vous a indiqué comme proche : vous recevrez une copie de ses messages du panier. Pour arrêter, répondez STOP${infoPhone ? ` ou appelez le ${infoPhone}` : ''}.`,
      spoken: `Bonjour. ${who} vous a indiqué comme proche. Vous recevrez une copie de ses messages du panier. Pour arrêter, ${infoPhone ? `appelez le ${infoPhone}` : 'appelez la mairie'}.`,
    };
  },
  /** the full notice printed on the catalogue sheet */
  fullNotice: (controller: string, w: RetentionWords, infoPhone: string | null): string[] => [
    `Vos données personnelles. ${controller} est responsable de ce service. Nous gardons votre nom, votre numéro de téléphone, votre adresse si vous êtes livré, vos commandes, vos messages et, si vous laissez un message vocal, son enregistrement.`,
    'Elles servent seulement à préparer, livrer et vous annoncer vos commandes. Elles ne sont ni vendues ni données. Les producteurs ne voient ni votre nom ni votre adresse ; le livreur ne voit que ce qu’il faut pour livrer.',
    `Durées : enregistrements vocaux ${w.recordingRetentionDays} jours après leur traitement, messages ${w.messageRetentionMonths} mois, fiche effacée après ${w.inactiveResidentMonths} mois sans commande. Les commandes restent en comptabilité, sans votre nom.`,
    `Vos droits : voir, corriger, recevoir ou effacer vos données. Envoyez DONNEES par SMS${infoPhone ? ` ou appelez le ${infoPhone}` : ' ou appelez la mairie'}. Réponse sous un mois. Vous pouvez aussi vous adresser à la CNIL (cnil.fr).`,
  ],
};

/** Headings of the printable export a coordinator gives to a resident. */
export const exportText = {
  title: (name: string | null) => `Vos données${name ? ` : ${name}` : ''}`,
  intro: (group: string, at: Date, timeZone: string) =>
    `Voici tout ce que ${group} garde sur vous, au ${DateTime.fromJSDate(at, { zone: timeZone }).setLocale('fr').toFormat('d LLLL yyyy')}.`,
  identity: 'Vous',
  carer: 'Votre proche',
  orders: 'Vos commandes',
  messages: 'Vos messages',
  recordings: 'Vos messages vocaux (date et durée)',
  tasks: 'Demandes traitées par le standard',
  accesses: 'Qui a consulté vos données',
  none: 'Rien.',
};
