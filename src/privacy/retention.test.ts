import { describe, expect, it } from 'vitest';
import { anonymisationDate, inactivityStep, retentionCutoffs } from './retention.js';
import { DEFAULT_PRIVACY_SETTINGS } from './settings.js';

const now = new Date('2026-08-31T10:00:00Z');

describe('retention cutoffs', () => {
  it('uses the defaults: 30 days, 6 months, 24 months, 30 days, 36 and 12 months', () => {
    const c = retentionCutoffs(DEFAULT_PRIVACY_SETTINGS, now);
    expect(c.recordingsOfTasksDoneBefore.toISOString()).toBe('2026-08-01T10:00:00.000Z');
    // calendar months: 31 August minus 6 months is the last day of February
    expect(c.messagesBefore.toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(c.inactiveSince.toISOString()).toBe('2024-08-31T10:00:00.000Z');
    expect(c.warnedBefore.toISOString()).toBe('2026-08-01T10:00:00.000Z');
    expect(c.auditBefore.toISOString()).toBe('2023-08-31T10:00:00.000Z');
    expect(c.accessLogBefore.toISOString()).toBe('2025-08-31T10:00:00.000Z');
  });
  it('follows the group settings', () => {
    const c = retentionCutoffs({ ...DEFAULT_PRIVACY_SETTINGS, recordingRetentionDays: 7, messageRetentionMonths: 1 }, now);
    expect(c.recordingsOfTasksDoneBefore.toISOString()).toBe('2026-08-24T10:00:00.000Z');
    expect(c.messagesBefore.toISOString()).toBe('2026-07-31T10:00:00.000Z');
  });
});

describe('an inactive resident', () => {
  const c = retentionCutoffs(DEFAULT_PRIVACY_SETTINGS, now);
  const old = new Date('2024-01-01T00:00:00Z');
  it('is active while they ordered within the period or have an order under way', () => {
    expect(inactivityStep({ lastActivityAt: new Date('2025-01-01T00:00:00Z'), inactivityWarnedAt: null, hasOpenOrder: false }, c)).toBe('active');
    expect(inactivityStep({ lastActivityAt: old, inactivityWarnedAt: null, hasOpenOrder: true }, c)).toBe('active');
  });
  it('is first reported to the coordinator, then anonymised once the warning is old enough', () => {
    expect(inactivityStep({ lastActivityAt: old, inactivityWarnedAt: null, hasOpenOrder: false }, c)).toBe('warn');
    expect(inactivityStep({ lastActivityAt: old, inactivityWarnedAt: new Date('2026-08-20T00:00:00Z'), hasOpenOrder: false }, c)).toBe('wait');
    expect(inactivityStep({ lastActivityAt: old, inactivityWarnedAt: new Date('2026-07-20T00:00:00Z'), hasOpenOrder: false }, c)).toBe('anonymise');
  });
  it('shows the coordinator when the anonymisation will happen', () => {
    expect(anonymisationDate(new Date('2026-08-01T00:00:00Z'), DEFAULT_PRIVACY_SETTINGS).toISOString()).toBe('2026-08-31T00:00:00.000Z');
  });
});
