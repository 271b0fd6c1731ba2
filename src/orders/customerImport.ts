// The mairie's list of people to call ("identifier les personnes dans le besoin"), from a CSV or an
// .xlsx: name, phone, address, landline or mobile, needs delivery, carer. Residents are keyed by
// phone: a number already known is updated, never doubled. Reading is pure; the import is one
// transaction, all or nothing, like the catalogue's.
import type { Db } from '../platform/db/client.js';
import { auditStaff, type Actor } from './actor.js';
import { lineTypeOf, toE164, type PhoneLineType } from '../platform/phone.js';
import type { Spreadsheet } from '../platform/spreadsheetReader.js';
import { fold } from '../catalog/reading/normalize.js';

export interface CustomerImportRow {
  line: number;
  phone: string;
  name: string;
  address: string | null;
  lineType: PhoneLineType;
  /** null: the file does not say (an existing resident's choice is kept) */
  deliveryByDefault: boolean | null;
  carerName: string | null;
  carerPhone: string | null;
  notes: string | null;
}

export interface CustomerImportRejection {
  line: number;
  reason: string;
}

type Column = 'name' | 'phone' | 'address' | 'lineType' | 'delivery' | 'carerName' | 'carerPhone' | 'notes';

const TITLES: Record<Column, string[]> = {
  name: ['nom', 'name', 'nom prenom', 'nom et prenom', 'prenom nom', 'habitant', 'personne'],
  phone: ['telephone', 'tel', 'phone', 'numero', 'numero de telephone', 'portable ou fixe numero'],
  address: ['adresse', 'address', 'adresse postale', 'domicile'],
  lineType: ['ligne', 'type de ligne', 'fixe ou portable', 'portable ou fixe', 'fixe portable', 'type', 'line type'],
  delivery: ['livraison', 'a livrer', 'besoin de livraison', 'livraison a domicile', 'needs delivery', 'delivery'],
  carerName: ['aidant', 'proche', 'contact', 'personne a prevenir', 'carer', 'aidant nom'],
  carerPhone: ['telephone aidant', 'tel aidant', 'telephone du proche', 'telephone contact', 'telephone de l aidant', 'carer phone'],
  notes: ['remarques', 'notes', 'commentaire', 'observations'],
};

const key = (title: string) => fold(title).replace(/[^a-z0-9]+/g, ' ').trim();
const BY_KEY = new Map<string, Column>(Object.entries(TITLES).flatMap(([c, ts]) => ts.map((t) => [key(t), c as Column] as const)));

export function customerColumnOf(title: string): Column | null {
  return BY_KEY.get(key(title)) ?? null;
}

function yesNo(raw: string): boolean | null | 'bad' {
  const v = key(raw);
  if (v === '') return null;
  if (['oui', 'o', 'x', '1', 'yes', 'vrai', 'true', 'livraison', 'a domicile'].includes(v)) return true;
  if (['non', 'n', '0', 'no', 'faux', 'false', 'retrait', 'relais'].includes(v)) return false;
  return 'bad';
}

function lineTypeFromFile(raw: string, phone: string): PhoneLineType | 'bad' {
  const v = key(raw);
  if (v === '') return lineTypeOf(phone);
  if (['fixe', 'ligne fixe', 'f', 'landline', 'domicile'].includes(v)) return 'landline';
  if (['portable', 'mobile', 'p', 'm', 'gsm', 'cellulaire'].includes(v)) return 'mobile';
  return 'bad';
}

/** Reads the list; every refused line says why. Pure. */
export function parseCustomerSheet(sheet: Spreadsheet): { rows: CustomerImportRow[]; rejections: CustomerImportRejection[] } {
  const index = new Map<Column, number>();
  sheet.header.forEach((title, i) => {
    const c = customerColumnOf(title);
    if (c && !index.has(c)) index.set(c, i);
  });
  const missing = (['name', 'phone'] as const).filter((c) => !index.has(c));
  if (missing.length > 0) {
    return { rows: [], rejections: [{ line: 1, reason: `colonnes manquantes : ${missing.map((c) => (c === 'name' ? 'nom' : 'téléphone')).join(', ')}` }] };
  }
  const rows: CustomerImportRow[] = [];
  const rejections: CustomerImportRejection[] = [];
  const seen = new Map<string, number>();
  sheet.rows.forEach((cells, i) => {
    const line = i + 2;
    if (cells.every((c) => c === '')) return;
    const cell = (c: Column) => (index.has(c) ? (cells[index.get(c)!] ?? '').trim() : '');
    const problems: string[] = [];
    const name = cell('name');
    if (!name) problems.push('nom vide');
    const phone = toE164(cell('phone'));
    if (!phone) problems.push(cell('phone') ? `téléphone « ${cell('phone')} » : pas un numéro valide` : 'téléphone vide');
    const delivery = yesNo(cell('delivery'));
    if (delivery === 'bad') problems.push(`livraison « ${cell('delivery')} » : oui ou non attendu`);
    const lineType = phone ? lineTypeFromFile(cell('lineType'), phone) : 'unknown';
    if (lineType === 'bad') problems.push(`ligne « ${cell('lineType')} » : fixe ou portable attendu`);
    const carerPhone = cell('carerPhone') ? toE164(cell('carerPhone')) : null;
    if (cell('carerPhone') && !carerPhone) problems.push(`téléphone de l’aidant « ${cell('carerPhone')} » : pas un numéro valide`);
    if (phone && seen.has(phone)) problems.push(`même téléphone que la ligne ${seen.get(phone)}`);
    if (problems.length > 0 || !phone || delivery === 'bad' || lineType === 'bad') {
      rejections.push({ line, reason: problems.join(' ; ') });
      return;
    }
    seen.set(phone, line);
    rows.push({
      line, phone, name, address: cell('address') || null, lineType, deliveryByDefault: delivery,
      carerName: cell('carerName') || null, carerPhone, notes: cell('notes') || null,
    });
  });
  return { rows, rejections };
}

export interface CustomerImportReport {
  created: number;
  updated: number;
  rejected: CustomerImportRejection[];
  applied: boolean;
}

/**
 * Creates or updates residents by phone, in one transaction: any refused line, or a dry run,
 * writes nothing. An empty cell never erases what the switchboard already knows.
 */
export async function importCustomers(
  db: Db,
  groupId: string,
  parsed: { rows: CustomerImportRow[]; rejections: CustomerImportRejection[] },
  actor: Actor,
  opts: { dryRun?: boolean } = {},
): Promise<CustomerImportReport> {
  const rejected = parsed.rejections;
  const existing = await db.customer.findMany({ where: { groupId, phone: { in: parsed.rows.map((r) => r.phone) } }, select: { phone: true } });
  const known = new Set(existing.map((c) => c.phone));
  const created = parsed.rows.filter((r) => !known.has(r.phone)).length;
  const updated = parsed.rows.length - created;
  if (rejected.length > 0 || opts.dryRun) return { created, updated, rejected, applied: false };
  await db.$transaction(
    async (tx) => {
      for (const r of parsed.rows) {
        const data = {
          name: r.name,
          lineType: r.lineType,
          // a landline cannot read an SMS
          ...(r.lineType === 'landline' ? { preferredChannel: 'voice' as const } : {}),
          ...(r.address ? { address: r.address } : {}),
          ...(r.deliveryByDefault !== null ? { deliveryByDefault: r.deliveryByDefault } : {}),
          ...(r.carerName ? { secondaryContactName: r.carerName } : {}),
          ...(r.carerPhone ? { secondaryContactPhone: r.carerPhone } : {}),
          ...(r.notes ? { notes: r.notes } : {}),
        };
        // upsert on (groupId, phone): a resident who texted meanwhile is updated, not doubled
        const saved = await tx.customer.upsert({ where: { groupId_phone: { groupId, phone: r.phone } }, create: { groupId, phone: r.phone, ...data }, update: data });
        await auditStaff(tx, actor, { groupId, action: known.has(r.phone) ? 'customer.updated' : 'customer.created', entityType: 'Customer', entityId: saved.id, data: { via: 'import', line: r.line } });
      }
    },
    { timeout: 60_000 },
  );
  return { created, updated, rejected, applied: true };
}
