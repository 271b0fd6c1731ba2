// What a coordinator reads after importing a spreadsheet (catalogue, residents), in the console
// and from the CLI: plain French, what would happen or what happened, and every refused line.
import type { SpreadsheetError } from '../platform/spreadsheetReader.js';

// French: 0 and 1 take the singular
const plural = (n: number, one: string, many: string) => `${n} ${n <= 1 ? one : many}`;

export interface ImportCounts {
  created: number;
  updated: number;
  rejected: { line: number; reason: string }[];
  applied: boolean;
}

/** "ligne 4 : prix « cher » : pas un montant en euros" */
export function refusedLine(r: { line: number; reason: string }): string {
  return r.line <= 1 ? `en-tête : ${r.reason}` : `ligne ${r.line} : ${r.reason}`;
}

function summary(counts: ImportCounts, noun: { one: string; many: string; feminine?: boolean }, dryRun: boolean): string {
  const e = noun.feminine ? 'e' : '';
  const wouldOrDid = !counts.applied;
  const created = wouldOrDid
    ? `${plural(counts.created, noun.one, noun.many)} ${counts.created <= 1 ? `serait créé${e}` : `seraient créé${e}s`}`
    : `${plural(counts.created, noun.one, noun.many)} ${counts.created <= 1 ? `créé${e}` : `créé${e}s`}`;
  const updated = `${counts.updated} ${counts.updated <= 1 ? `modifié${e}` : `modifié${e}s`}`;
  const parts = [created, updated];
  if (counts.rejected.length > 0) {
    parts.push(`${plural(counts.rejected.length, 'ligne refusée', 'lignes refusées')} : ${counts.rejected.map(refusedLine).join(' ; ')}`);
  }
  const text = parts.join(', ') + '.';
  if (counts.rejected.length > 0) return `${text} Rien n’a été enregistré : corrigez le fichier et importez-le de nouveau.`;
  if (dryRun) return `Essai à blanc : ${text} Rien n’a été enregistré.`;
  return text;
}

/** "2 produits seraient créés, 1 modifié, 1 ligne refusée : ligne 4 : …" */
export function catalogImportSummary(counts: ImportCounts, dryRun: boolean): string {
  return summary(counts, { one: 'produit', many: 'produits' }, dryRun);
}

/** "12 habitants seraient créés, 3 modifiés." */
export function customerImportSummary(counts: ImportCounts, dryRun: boolean): string {
  return summary(counts, { one: 'habitant', many: 'habitants' }, dryRun);
}

export function spreadsheetProblem(err: SpreadsheetError): string {
  switch (err.problem) {
    case 'empty':
      return 'Le fichier est vide.';
    case 'xls':
      return 'Ce fichier est dans l’ancien format Excel (.xls) : enregistrez-le en .xlsx ou en CSV, puis importez-le de nouveau.';
    case 'bad-csv':
      return `Ce fichier CSV est illisible (${err.detail}). Enregistrez-le de nouveau depuis le tableur, en CSV.`;
    case 'bad-xlsx':
      return 'Ce classeur .xlsx est illisible. Ouvrez-le dans le tableur et enregistrez-le de nouveau.';
  }
}

/**
 * A new distribution whose order window overlaps others'. `others` are already phrased
 * ("vendredi 4 décembre, Épicerie du centre").
 */
export function overlappingWindowsWarning(others: string[]): string {
  return (
    `Attention : les commandes de cette distribution sont ouvertes en même temps que celles de ${others.join(' ; ')}. ` +
    'Pendant ce temps, un habitant qui commande par SMS ou par téléphone commande pour la distribution ouverte la première.'
  );
}
