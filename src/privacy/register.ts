// Reads the text fields of prisma/schema.prisma and renders the register of personal data
// (docs/registre-rgpd.md) from them and the registry. Pure (the schema comes in as text).
import { PERSONAL_FIELDS, NOT_PERSONAL } from './registry.js';
import { DEFAULT_PRIVACY_SETTINGS, type RetentionSettings } from './settings.js';

export interface SchemaField {
  model: string;
  field: string;
  type: string;
}

/** String and Json fields of every model (String[] too); ids and foreign keys (…Id) are left out. */
export function textFields(schema: string): SchemaField[] {
  const out: SchemaField[] = [];
  let model: string | null = null;
  for (const raw of schema.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const start = /^model\s+(\w+)\s*\{/.exec(line);
    if (start) {
      model = start[1]!;
      continue;
    }
    if (line === '}') model = null;
    if (!model || !line || line.startsWith('@@')) continue;
    const m = /^(\w+)\s+(String|Json)(\[\]|\?)?(\s|$)/.exec(line);
    if (!m) continue;
    const field = m[1]!;
    if (field === 'id' || /Id$/.test(field)) continue;
    out.push({ model, field, type: `${m[2]}${m[3] ?? ''}` });
  }
  return out;
}

/** Text fields of the schema the registry says nothing about: each must be classified. */
export function unclassified(schema: string): string[] {
  return textFields(schema).map((f) => `${f.model}.${f.field}`).filter((k) => !(k in PERSONAL_FIELDS) && !(k in NOT_PERSONAL));
}

/** Registry entries that no longer match a field of the schema. */
export function stale(schema: string): string[] {
  const present = new Set(textFields(schema).map((f) => `${f.model}.${f.field}`));
  return [...Object.keys(PERSONAL_FIELDS), ...Object.keys(NOT_PERSONAL)].filter((k) => !present.has(k));
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function renderRegister(schema: string, settings: RetentionSettings = DEFAULT_PRIVACY_SETTINGS): string {
  const fields = textFields(schema).filter((f) => `${f.model}.${f.field}` in PERSONAL_FIELDS);
  const models = [...new Set(fields.map((f) => f.model))];
  const lines = [
    '# Registre des données personnelles (RGPD)',
    '',
    '<!-- Généré par `npm run docs:registre` depuis prisma/schema.prisma et src/privacy/registry.ts : ne pas modifier à la main. -->',
    '',
    'Responsable du traitement : la commune (ou le groupement) qui exploite le service. Finalité générale : prendre, préparer, livrer',
    'et annoncer les commandes du panier de proximité passées par téléphone et SMS. Base légale : mission d’intérêt public',
    '(action sociale de la commune) et exécution de la commande. Aucune donnée n’est vendue ni transmise, sauf à Twilio',
    '(sous-traitant : acheminement des appels et SMS, enregistrements vocaux).',
    '',
    `Durées par défaut (réglables par groupement, page « Données (RGPD) » de la console) : messages vocaux ${settings.recordingRetentionDays} jours après traitement ;`,
    `textes des SMS et des appels ${settings.messageRetentionMonths} mois ; habitant sans commande ${settings.inactiveResidentMonths} mois, rendu anonyme ${settings.inactivityWarningDays} jours`,
    `après l’avertissement du coordinateur ; journal des consultations ${settings.accessLogRetentionMonths} mois ; journal des actions ${settings.auditRetentionMonths} mois.`,
    'Droits : un habitant envoie DONNEES par SMS ou appelle le standard ; le coordinateur exporte (JSON ou page imprimable) ou efface.',
    '',
  ];
  for (const model of models) {
    lines.push(`## ${model}`, '', '| champ | ce que c’est | pourquoi | combien de temps | qui le voit |', '|---|---|---|---|---|');
    for (const f of fields.filter((x) => x.model === model)) {
      const e = PERSONAL_FIELDS[`${f.model}.${f.field}`]!;
      lines.push(`| \`${f.field}\` | ${cell(e.what)} | ${cell(e.purpose)} | ${cell(e.retention(settings))} | ${cell(e.seenBy)} |`);
    }
    lines.push('');
  }
  lines.push('## Champs sans donnée personnelle', '', Object.entries(NOT_PERSONAL).map(([k, why]) => `\`${k}\` (${why})`).join(' · '), '');
  return lines.join('\n');
}
