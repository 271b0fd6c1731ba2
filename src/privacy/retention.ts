// Retention rules: from the settings and the time, the dates before which each kind of personal
// data goes. Pure.
import { DateTime } from 'luxon';
import type { RetentionSettings } from './settings.js';

export interface RetentionCutoffs {
  /** recordings of tasks done before this are deleted */
  recordingsOfTasksDoneBefore: Date;
  /** message bodies and call transcripts older than this are erased */
  messagesBefore: Date;
  /** residents whose last order (or, with none, their first contact) is older than this are inactive */
  inactiveSince: Date;
  /** inactive residents warned before this are anonymised */
  warnedBefore: Date;
  auditBefore: Date;
  accessLogBefore: Date;
}

export function retentionCutoffs(s: RetentionSettings, now: Date): RetentionCutoffs {
  // months are calendar months, in UTC: "6 months" on 31 August is 28 February, not 3 March
  const t = DateTime.fromJSDate(now, { zone: 'utc' });
  return {
    recordingsOfTasksDoneBefore: t.minus({ days: s.recordingRetentionDays }).toJSDate(),
    messagesBefore: t.minus({ months: s.messageRetentionMonths }).toJSDate(),
    inactiveSince: t.minus({ months: s.inactiveResidentMonths }).toJSDate(),
    warnedBefore: t.minus({ days: s.inactivityWarningDays }).toJSDate(),
    auditBefore: t.minus({ months: s.auditRetentionMonths }).toJSDate(),
    accessLogBefore: t.minus({ months: s.accessLogRetentionMonths }).toJSDate(),
  };
}

export type InactivityStep = 'active' | 'warn' | 'wait' | 'anonymise';

/**
 * Where an inactive resident stands: warned first (the coordinator sees who and when), anonymised
 * once the warning is old enough and they still have not ordered. Pure.
 */
export function inactivityStep(
  r: { lastActivityAt: Date; inactivityWarnedAt: Date | null; hasOpenOrder: boolean },
  c: Pick<RetentionCutoffs, 'inactiveSince' | 'warnedBefore'>,
): InactivityStep {
  if (r.hasOpenOrder || r.lastActivityAt >= c.inactiveSince) return 'active';
  if (!r.inactivityWarnedAt) return 'warn';
  return r.inactivityWarnedAt < c.warnedBefore ? 'anonymise' : 'wait';
}

/** When a warned resident will be anonymised, to show the coordinator. Pure. */
export function anonymisationDate(warnedAt: Date, s: Pick<RetentionSettings, 'inactivityWarningDays'>): Date {
  return DateTime.fromJSDate(warnedAt, { zone: 'utc' }).plus({ days: s.inactivityWarningDays }).toJSDate();
}
