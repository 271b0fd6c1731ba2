// The register of personal data (RGPD art. 30): every field of the schema that holds personal data,
// what it is for, how long it is kept and who sees it. docs/registre-rgpd.md is generated from
// this and prisma/schema.prisma (npm run docs:registre); a test fails when the schema gains a text
// field that is neither here nor in NOT_PERSONAL.
import type { RetentionSettings } from './settings.js';

export interface PersonalField {
  /** what it is, in the coordinator's words */
  what: string;
  purpose: string;
  retention: (s: RetentionSettings) => string;
  seenBy: string;
}

const untilErased = (s: RetentionSettings) => `jusqu’à l’effacement demandé, ou ${s.inactiveResidentMonths} mois sans commande (rendu anonyme après avertissement)`;
const messages = (s: RetentionSettings) => `${s.messageRetentionMonths} mois, puis effacé (la ligne reste pour la commande) ; supprimé aussi chez Twilio`;
const recording = (s: RetentionSettings) => `${s.recordingRetentionDays} jours après le traitement de la tâche, ici et chez Twilio`;
const whileActive = () => 'tant que la personne fait partie de l’équipe (compte désactivé ou supprimé par le coordinateur)';
const COORD_STANDARD = 'coordinateur, standard (journal des consultations)';

export const PERSONAL_FIELDS: Record<string, PersonalField> = {
  'Customer.phone': { what: 'numéro de téléphone de l’habitant', purpose: 'le reconnaître, lui répondre, le prévenir', retention: untilErased, seenBy: `${COORD_STANDARD} ; livreur de sa livraison ; jamais les producteurs` },
  'Customer.name': { what: 'nom de l’habitant', purpose: 'préparer et remettre son panier', retention: untilErased, seenBy: `${COORD_STANDARD} ; livreur de sa livraison ; jamais les producteurs` },
  'Customer.address': { what: 'adresse de livraison', purpose: 'livrer à domicile', retention: untilErased, seenBy: `${COORD_STANDARD} ; livreur de sa livraison ; ni le responsable des livraisons par SMS, ni les producteurs` },
  'Customer.deliveryNotes': { what: 'consignes pour le livreur (code, étage)', purpose: 'livrer', retention: untilErased, seenBy: `${COORD_STANDARD} ; livreur de sa livraison` },
  'Customer.notes': { what: 'notes du standard', purpose: 'servir l’habitant (besoins exprimés)', retention: untilErased, seenBy: COORD_STANDARD },
  'Customer.secondaryContactName': { what: 'nom du proche (aidant)', purpose: 'lui envoyer une copie des messages', retention: untilErased, seenBy: COORD_STANDARD },
  'Customer.secondaryContactPhone': { what: 'téléphone du proche', purpose: 'lui envoyer une copie des messages ; il est prévenu une fois et peut répondre STOP', retention: (s) => `${untilErased(s)} ; retiré si le proche répond STOP`, seenBy: COORD_STANDARD },
  'Customer.secondaryContactReason': { what: 'pourquoi le proche reçoit des copies', purpose: 'justifier l’envoi au proche', retention: untilErased, seenBy: COORD_STANDARD },
  'SmsConversation.state': { what: 'étape de la conversation SMS', purpose: 'comprendre la réponse suivante', retention: () => '3 jours, puis remplacée', seenBy: 'personne (le service)' },
  'SmsConversation.data': { what: 'commande en cours de saisie par SMS', purpose: 'confirmer la commande par OUI', retention: () => '3 jours, puis remplacée ; effacée avec l’habitant', seenBy: 'personne (le service)' },
  'Order.notes': { what: 'remarque sur une commande', purpose: 'préparer la commande', retention: () => 'avec la commande (comptabilité) ; effacée si l’habitant est effacé', seenBy: COORD_STANDARD },
  'Delivery.address': { what: 'adresse d’une livraison', purpose: 'livrer', retention: () => 'avec la commande ; effacée si l’habitant est effacé', seenBy: `${COORD_STANDARD} ; responsable des livraisons (console) ; livreur attribué` },
  'Delivery.notes': { what: 'consignes d’une livraison', purpose: 'livrer', retention: () => 'avec la commande ; effacées si l’habitant est effacé', seenBy: `${COORD_STANDARD} ; livreur attribué` },
  'Delivery.failureReason': { what: 'raison d’un échec de livraison', purpose: 'rappeler l’habitant', retention: () => 'avec la commande ; effacée si l’habitant est effacé', seenBy: COORD_STANDARD },
  'Courier.name': { what: 'nom du livreur bénévole', purpose: 'attribuer les livraisons, le nommer à l’habitant (prénom)', retention: whileActive, seenBy: 'coordinateur, standard, responsable des livraisons ; prénom à l’habitant livré' },
  'Courier.phone': { what: 'téléphone du livreur', purpose: 'lui envoyer ses livraisons par SMS', retention: whileActive, seenBy: 'coordinateur, responsable des livraisons' },
  'StaffUser.name': { what: 'nom d’un membre de l’équipe', purpose: 'se connecter, signer ses actions', retention: whileActive, seenBy: 'coordinateur' },
  'StaffUser.email': { what: 'adresse de connexion', purpose: 'se connecter à la console', retention: whileActive, seenBy: 'coordinateur' },
  'StaffUser.passwordHash': { what: 'empreinte du mot de passe (argon2id)', purpose: 'se connecter', retention: whileActive, seenBy: 'personne' },
  'StaffUser.phone': { what: 'téléphone (responsable des livraisons)', purpose: 'recevoir les livraisons à organiser', retention: whileActive, seenBy: 'coordinateur' },
  'Producer.name': { what: 'nom du producteur (souvent son nom)', purpose: 'catalogue, listes de préparation', retention: () => 'tant qu’il vend par le panier', seenBy: 'tous (catalogue)' },
  'Producer.phone': { what: 'téléphone du producteur', purpose: 'le joindre', retention: () => 'tant qu’il vend par le panier', seenBy: 'coordinateur' },
  'CallSession.fromPhone': { what: 'numéro de l’appelant', purpose: 'reconnaître l’habitant au téléphone', retention: untilErased, seenBy: 'personne (le service)' },
  'CallSession.data': { what: 'étape du menu vocal et ce qui a été dit (transcription)', purpose: 'mener l’appel', retention: messages, seenBy: 'personne (le service)' },
  'CallTask.callerPhone': { what: 'numéro à rappeler', purpose: 'rappeler, saisir une commande laissée en message', retention: untilErased, seenBy: COORD_STANDARD },
  'CallTask.recordingSid': { what: 'référence du message vocal chez Twilio', purpose: 'écouter le message, le supprimer ensuite', retention: recording, seenBy: 'personne (le service)' },
  'CallTask.recordingUrl': { what: 'adresse du message vocal chez Twilio', purpose: 'écouter le message dans la console', retention: recording, seenBy: `${COORD_STANDARD} (écoute dans la console)` },
  'CallTask.note': { what: 'note du standard sur un appel', purpose: 'suivre la demande', retention: untilErased, seenBy: COORD_STANDARD },
  'Message.fromPhone': { what: 'numéro de l’expéditeur d’un SMS', purpose: 'répondre', retention: untilErased, seenBy: 'personne (le service) ; l’habitant dans son export' },
  'Message.toPhone': { what: 'numéro du destinataire d’un SMS', purpose: 'envoyer', retention: untilErased, seenBy: 'personne (le service) ; l’habitant dans son export' },
  'Message.body': { what: 'texte d’un SMS reçu ou envoyé (ou dit dans un appel)', purpose: 'comprendre la commande, prouver ce qui a été dit', retention: messages, seenBy: 'personne dans la console ; l’habitant dans son export' },
  'Message.twilioSid': { what: 'référence du SMS chez Twilio', purpose: 'suivre sa remise, le supprimer chez Twilio', retention: untilErased, seenBy: 'personne (le service)' },
  'WebhookReceipt.response': { what: 'réponse vocale déjà donnée (peut dire nom et adresse)', purpose: 'répondre pareil à un appel rejoué par Twilio', retention: messages, seenBy: 'personne (le service)' },
  'OutboxEvent.lastError': { what: 'raison d’un avis non envoyé (une erreur de Twilio peut citer un numéro)', purpose: 'comprendre une panne', retention: (s) => `${s.messageRetentionMonths} mois ; effacée si l’habitant est effacé`, seenBy: 'coordinateur (files d’envoi)' },
  'AccessLogEntry.page': { what: 'page de la console où un habitant a été consulté (avec qui et quand)', purpose: 'montrer qui a vu quoi', retention: (s) => `${s.accessLogRetentionMonths} mois`, seenBy: 'coordinateur ; l’habitant dans son export' },
};

/** Text fields that hold no personal data, with why (ids and foreign keys are left out of the check). */
export const NOT_PERSONAL: Record<string, string> = {
  'Group.slug': 'configuration', 'Group.name': 'nom du groupement', 'Group.timeZone': 'configuration', 'Group.locale': 'configuration',
  'Group.smsSender': 'numéro ou nom d’envoi du groupement', 'Group.operatorPhone': 'numéro du standard (mairie)', 'Group.operatorHours': 'horaires du standard',
  'Group.voiceName': 'configuration', 'Group.voiceLanguage': 'configuration', 'GroupNumber.phone': 'numéro Twilio du groupement', 'GroupNumber.label': 'configuration',
  'RelayPoint.name': 'commerce relais', 'RelayPoint.address': 'adresse du commerce relais', 'RelayPoint.notes': 'commerce relais',
  'Producer.kind': 'activité', 'Product.name': 'catalogue', 'Product.aliases': 'catalogue', 'Product.category': 'catalogue', 'Product.description': 'catalogue',
  'OrderLine.productName': 'produit commandé (la commande reste en comptabilité, sans nom)',
  'CallSession.callSid': 'référence technique de l’appel', 'CallSession.toPhone': 'numéro du groupement', 'CallSession.state': 'étape du menu',
  'CallSession.outcome': 'issue de l’appel (commande, message, raccroché)', 'CallSession.path': 'étapes du menu parcourues',
  'Message.encoding': 'technique', 'Message.kind': 'type d’avis', 'Message.recipientRole': 'rôle du destinataire',
  'WebhookReceipt.key': 'référence technique', 'OutboxEvent.type': 'type d’événement', 'OutboxEvent.aggregateType': 'technique',
  'OutboxEvent.payload': 'identifiants seulement, jamais de numéro ni d’adresse', 'AuditEvent.actorKind': 'technique', 'AuditEvent.action': 'nom de l’action',
  'AuditEvent.entityType': 'technique', 'AuditEvent.data': 'identifiants et nombres seulement, jamais de contenu',
  'PrivacySettings.infoPhone': 'numéro de la mairie', 'TwilioDeletion.kind': 'technique', 'TwilioDeletion.sid': 'référence d’un élément supprimé',
  'TwilioDeletion.reason': 'technique', 'TwilioDeletion.lastError': 'code d’erreur de Twilio',
};
