// How long each kind of personal data is kept, per group (PrivacySettings; no row = the defaults).
import type { Db, Tx } from '../platform/db/client.js';
import { auditStaff, type Actor } from '../orders/actor.js';

export interface RetentionSettings {
  /** a voice recording is deleted (at Twilio and here) this long after its task is done */
  recordingRetentionDays: number;
  /** SMS bodies and call transcripts are erased after this; the orders they produced stay */
  messageRetentionMonths: number;
  /** a resident with no order for this long is anonymised… */
  inactiveResidentMonths: number;
  /** …this long after the coordinator was warned */
  inactivityWarningDays: number;
  /** audit rows: who changed what, retention runs, erasures */
  auditRetentionMonths: number;
  /** who saw a resident's personal data in the console */
  accessLogRetentionMonths: number;
}

export interface PrivacySettingsValue extends RetentionSettings {
  /** the number said in the first-contact notice; null: the group's operator */
  infoPhone: string | null;
}

/**
 * The defaults, and why: recordings are only a way to take an order (a month covers a dispute);
 * texts 6 months (a season of orders); 24 months without an order is a resident who left (CNIL's
 * usual "inactive customer" horizon is 3 years for commerce; a commune holding health-adjacent data
 * keeps less); access logs 12 months (CNIL, journalisation: 6 months to a year); audit rows 36
 * months, long enough to show a request was answered.
 */
export const DEFAULT_PRIVACY_SETTINGS: PrivacySettingsValue = {
  recordingRetentionDays: 30,
  messageRetentionMonths: 6,
  inactiveResidentMonths: 24,
  inactivityWarningDays: 30,
  auditRetentionMonths: 36,
  accessLogRetentionMonths: 12,
  infoPhone: null,
};

export async function loadPrivacySettings(db: Db | Tx, groupId: string): Promise<PrivacySettingsValue> {
  const row = await db.privacySettings.findUnique({ where: { groupId } });
  if (!row) return { ...DEFAULT_PRIVACY_SETTINGS };
  return {
    recordingRetentionDays: row.recordingRetentionDays,
    messageRetentionMonths: row.messageRetentionMonths,
    inactiveResidentMonths: row.inactiveResidentMonths,
    inactivityWarningDays: row.inactivityWarningDays,
    auditRetentionMonths: row.auditRetentionMonths,
    accessLogRetentionMonths: row.accessLogRetentionMonths,
    infoPhone: row.infoPhone,
  };
}

/** A coordinator's retention durations and information number, audited (the durations, not the number). */
export async function savePrivacySettings(tx: Tx, groupId: string, input: Omit<PrivacySettingsValue, 'infoPhone'> & { infoPhone: string | null }, actor: Actor): Promise<void> {
  const { infoPhone: _number, ...durations } = input;
  await tx.privacySettings.upsert({ where: { groupId }, create: { groupId, ...input }, update: input });
  await auditStaff(tx, actor, { groupId, action: 'privacy.settings', entityType: 'Group', entityId: groupId, data: durations });
}
