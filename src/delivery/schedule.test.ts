import { describe, expect, it } from 'vitest';
import { dueNotices, type SweptDistribution } from './schedule.js';

const tz = 'Europe/Paris';
const at = (iso: string) => new Date(iso);
// opens Monday 30 Nov 2026 8:00, closes Wednesday 2 Dec 20:00, pickup Friday 4 Dec 16:00-19:00 (Paris, UTC+1)
const d: SweptDistribution = {
  status: 'scheduled', opensAt: at('2026-11-30T07:00:00Z'), closesAt: at('2026-12-02T19:00:00Z'),
  pickupStart: at('2026-12-04T15:00:00Z'), pickupEnd: at('2026-12-04T18:00:00Z'),
  openReminderAt: null, lastDayReminderAt: null, readyNoticeAt: null,
};

describe('what the minute sweep finds due', () => {
  it('nothing before the window opens', () => {
    expect(dueNotices(d, at('2026-11-30T06:59:00Z'), tz)).toEqual([]);
  });
  it('the opening reminder once the window opens, and not when 12 hours late', () => {
    expect(dueNotices(d, at('2026-11-30T07:01:00Z'), tz)).toEqual(['open_reminder']);
    expect(dueNotices(d, at('2026-11-30T20:00:00Z'), tz)).toEqual([]);
    expect(dueNotices({ ...d, openReminderAt: at('2026-11-30T07:01:00Z') }, at('2026-11-30T08:00:00Z'), tz)).toEqual([]);
  });
  it('the last-day reminder at 9:00 Paris time on the closing day', () => {
    const sent = { ...d, openReminderAt: at('2026-11-30T07:01:00Z') };
    expect(dueNotices(sent, at('2026-12-02T07:59:00Z'), tz)).toEqual([]);
    expect(dueNotices(sent, at('2026-12-02T08:00:00Z'), tz)).toEqual(['last_day_reminder']);
  });
  it('closes at closesAt', () => {
    expect(dueNotices({ ...d, openReminderAt: d.opensAt, lastDayReminderAt: d.opensAt }, at('2026-12-02T19:00:00Z'), tz)).toEqual(['close']);
  });
  it('"votre panier est prêt" at 8:00 on pickup day, until pickup ends', () => {
    const closed = { ...d, status: 'closed' };
    expect(dueNotices(closed, at('2026-12-04T06:59:00Z'), tz)).toEqual([]);
    expect(dueNotices(closed, at('2026-12-04T07:00:00Z'), tz)).toEqual(['ready']);
    expect(dueNotices(closed, at('2026-12-04T18:00:00Z'), tz)).toEqual([]);
    expect(dueNotices({ ...closed, readyNoticeAt: at('2026-12-04T07:00:00Z') }, at('2026-12-04T08:00:00Z'), tz)).toEqual([]);
  });
  it('an early pickup is announced two hours before', () => {
    const early = { ...d, status: 'closed', pickupStart: at('2026-12-04T06:00:00Z'), pickupEnd: at('2026-12-04T08:00:00Z') };
    expect(dueNotices(early, at('2026-12-04T03:59:00Z'), tz)).toEqual([]);
    expect(dueNotices(early, at('2026-12-04T04:00:00Z'), tz)).toEqual(['ready']);
  });
  it('a cancelled distribution gets nothing', () => {
    expect(dueNotices({ ...d, status: 'cancelled' }, at('2026-12-04T07:00:00Z'), tz)).toEqual([]);
  });
});
