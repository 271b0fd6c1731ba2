// Error codes in French, for each audience: a resident by SMS (GSM-7 after toGsm7, short) and the
// staff in the console. One sentence per code; the record type makes a missing code a compile error.
import type { AppError, ErrorCode } from '../platform/errors.js';

type Details = Record<string, unknown> | undefined;
type Sentence = (d: Details) => string;

const text = (d: Details, key: string): string => {
  const v = d?.[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
};

/** What a resident reads when their SMS ran into a known rule. */
const RESIDENT: Record<ErrorCode, Sentence> = {
  invalid_input: () => "Je n'ai pas compris. Envoyez votre liste, ex: 2 baguettes et 1 kg de pommes, ou AIDE.",
  invalid_phone: () => "Ce numéro de téléphone n'est pas valide.",
  invalid_time: () => "Cette date n'est pas valide.",
  invalid_distribution_times: () => "Cette date n'est pas valide.",
  empty_order: () => 'Votre liste est vide. Envoyez par exemple: 2 baguettes.',
  quantity_out_of_range: (d) => `C'est beaucoup ! Pas plus de ${text(d, 'max') || '50'} par produit. Renvoyez votre liste.`,
  weight_out_of_range: () => 'Ce poids ne va pas.',
  weight_implausible: () => 'Ce poids ne va pas.',
  weight_pieces_mismatch: () => 'Ce poids ne va pas.',
  not_sold_by_weight: () => 'Ce produit ne se vend pas au poids.',
  line_not_in_order: () => "Ce produit n'est pas dans votre panier.",
  no_address: () => "A quelle adresse livrer ? Répondez LIVRAISON suivi de l'adresse.",
  login_incomplete: () => "Ce n'est pas possible par SMS.",
  password_too_short: () => "Ce n'est pas possible par SMS.",
  producer_required: () => "Ce n'est pas possible par SMS.",
  phone_required: () => "Ce n'est pas possible par SMS.",
  invalid_time_zone: () => "Ce n'est pas possible par SMS.",
  invalid_operator_hours: () => "Ce n'est pas possible par SMS.",
  invalid_sender: () => "Ce n'est pas possible par SMS.",
  invalid_group_setup: () => "Ce n'est pas possible par SMS.",
  self_deactivation: () => "Ce n'est pas possible par SMS.",
  already_taken: () => "Ce n'est pas possible par SMS.",
  carer_reason_missing: () => "Pour ajouter un proche, appelez la mairie.",
  not_found: () => "Je n'ai pas trouvé. Envoyez SUIVI pour votre commande, ou AIDE.",
  forbidden: () => "Ce n'est pas possible par SMS.",
  order_window_closed: () => 'Les commandes sont fermées pour cette distribution.',
  out_of_stock: (d) => `Il n'y a plus de ${text(d, 'productName') || 'ce produit'}, désolé.`,
  product_unavailable: (d) => `Il n'y a plus de ${text(d, 'productName') || 'ce produit'}, désolé. Renvoyez votre liste sans lui.`,
  invalid_order_state: () => "Cette commande ne peut plus changer. Envoyez SUIVI pour savoir où elle en est.",
  invalid_distribution_state: () => 'Cette distribution ne prend plus de commandes.',
  no_active_order: () => "Vous n'avez pas de commande en cours. Envoyez votre liste pour commander.",
  missing_redis: () => 'Le service est momentanément indisponible. Réessayez plus tard.',
};

/** What the console says to staff. */
const STAFF: Record<ErrorCode, Sentence> = {
  invalid_input: () => 'Une valeur du formulaire n’est pas valide.',
  invalid_phone: () => 'Ce numéro de téléphone n’est pas valide.',
  invalid_time: () => 'Une date est illisible.',
  invalid_distribution_times: (d) => {
    const problems = Array.isArray(d?.problems) ? (d.problems as string[]) : [];
    return problems.map((p) => DISTRIBUTION_TIME_PROBLEMS[p] ?? p).join(' ') || 'Les dates ne vont pas ensemble.';
  },
  empty_order: () => 'Ajoutez au moins un produit.',
  quantity_out_of_range: (d) => `Quantité impossible : de 1 à ${text(d, 'max') || '50'} par produit.`,
  weight_out_of_range: (d) => `Poids impossible${text(d, 'product') ? ` pour ${text(d, 'product')}` : ''} : il faut un poids entre 1 g et ${text(d, 'maxKg') || '100'} kg.`,
  weight_implausible: (d) =>
    `Poids inhabituel${text(d, 'product') ? ` pour ${text(d, 'product')}` : ''} (panier ${text(d, 'basket') || '?'}) : ${text(d, 'grams')} g pour environ ${text(d, 'expectedGrams')} g commandés. Vérifiez, puis confirmez.`,
  weight_pieces_mismatch: () => 'Un produit pesé pièce par pièce attend un poids par pièce.',
  not_sold_by_weight: () => 'Ce produit ne se vend pas au poids.',
  line_not_in_order: () => 'Cette ligne ne fait pas partie de la commande.',
  no_address: () => 'Donnez l’adresse de livraison.',
  login_incomplete: () => 'Pour se connecter à la console : une adresse e-mail et un mot de passe.',
  password_too_short: () => 'Le mot de passe doit avoir au moins 10 caractères.',
  producer_required: () => 'Un compte producteur est lié à un producteur.',
  phone_required: () => 'Le responsable des livraisons reçoit des SMS : son téléphone est demandé.',
  invalid_time_zone: (d) => `Fuseau horaire inconnu${text(d, 'timeZone') ? ` : ${text(d, 'timeZone')}` : ''}. Écrivez-le comme Europe/Paris ou America/Martinique.`,
  invalid_operator_hours: (d) => `Horaires du standard illisibles${text(d, 'line') ? ` (« ${text(d, 'line')} »)` : ''}. Une plage par ligne : jours de 1 (lundi) à 7 (dimanche), puis les heures, par exemple 1-5 09:00-12:00.`,
  invalid_sender: (d) => ({
    phone_number: 'L’expéditeur doit être un numéro de téléphone (+33…).',
    messaging_service: 'L’expéditeur doit être l’identifiant d’un Messaging Service Twilio (MG suivi de 32 caractères).',
    alphanumeric: 'Le nom d’expéditeur a de 1 à 11 lettres ou chiffres, dont au moins une lettre.',
  })[text(d, 'what')] ?? 'Expéditeur non valable.',
  invalid_group_setup: (d) => ({
    numbers: 'Chaque numéro Twilio doit être un numéro de téléphone valide, et le groupe en garde au moins un.',
    slug: 'L’identifiant du groupe : lettres minuscules, chiffres et tirets (2 à 40).',
    name: 'Le nom du groupe est demandé (120 caractères au plus).',
  })[text(d, 'what')] ?? 'Réglage du groupe non valable.',
  self_deactivation: () => 'Vous ne pouvez pas désactiver votre propre compte.',
  already_taken: (d) => ({ email: 'Cette adresse e-mail est déjà utilisée.', courier: 'Un livreur a déjà ce numéro.', customer: 'Un habitant a déjà ce numéro : cherchez-le plutôt.', slug: 'Un groupe a déjà cet identifiant.', relay: 'Un commerce relais porte déjà ce nom.', number: 'Ce numéro Twilio appartient déjà à un groupe.', code: `Le numéro ${text(d, 'code')} est déjà pris.` })[text(d, 'what')] ?? 'Déjà utilisé.',
  carer_reason_missing: () => 'Dites pourquoi ce proche reçoit des copies (demandé par l’habitant, tutelle…).',
  not_found: () => 'Introuvable.',
  forbidden: () => 'Votre rôle ne permet pas cette action.',
  order_window_closed: () => 'Les commandes de cette distribution sont fermées.',
  out_of_stock: (d) => `Plus assez de ${text(d, 'productName')} : il en reste ${text(d, 'remaining') || '0'}.`,
  product_unavailable: () => 'Un produit n’est plus au catalogue.',
  invalid_order_state: () => 'Cette commande ne peut plus changer ainsi.',
  invalid_distribution_state: () => 'Cette distribution ne peut plus changer ainsi.',
  no_active_order: () => 'Cet habitant n’a pas de commande en cours.',
  missing_redis: () => 'Redis est introuvable.',
};

/** The console's French sentences for the reasons a distribution's times are refused. */
export const DISTRIBUTION_TIME_PROBLEMS: Record<string, string> = {
  'orders must open before they close': 'Les commandes doivent ouvrir avant de fermer.',
  'orders must close before the pickup starts': 'Les commandes doivent fermer avant le retrait.',
  'the pickup must start before it ends': 'Le retrait doit commencer avant de finir.',
  'a delivery window needs a start and an end': 'Une tournée de livraison a un début et une fin.',
  'the delivery window must start before it ends': 'La livraison doit commencer avant de finir.',
};

export function residentErrorText(err: Pick<AppError, 'code' | 'details'>): string {
  return RESIDENT[err.code](err.details);
}

export function staffErrorText(err: Pick<AppError, 'code' | 'details'>): string {
  return STAFF[err.code](err.details);
}
