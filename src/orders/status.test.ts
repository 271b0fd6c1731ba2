import { describe, expect, it } from 'vitest';
import { windowState } from '../catalog/window.js';
import { canMove, isActive } from './status.js';
import { fromTwilioStatus, movesForward } from '../delivery/messageStatus.js';

describe('order status machine', () => {
  it('allows the moves of an order’s life and nothing back', () => {
    expect(canMove('draft', 'confirmed')).toBe(true);
    expect(canMove('confirmed', 'ready')).toBe(true);
    expect(canMove('ready', 'collected')).toBe(true);
    expect(canMove('confirmed', 'delivered')).toBe(true);
    expect(canMove('collected', 'cancelled')).toBe(false);
    expect(canMove('cancelled', 'confirmed')).toBe(false);
    expect(canMove('confirmed', 'draft')).toBe(false);
    expect(isActive('confirmed')).toBe(true);
    expect(isActive('draft')).toBe(false);
  });
});

describe('order window', () => {
  const d = { status: 'scheduled' as const, opensAt: new Date('2026-12-01T08:00:00Z'), closesAt: new Date('2026-12-02T19:00:00Z') };
  it('is open from opensAt (included) to closesAt (excluded)', () => {
    expect(windowState(d, new Date('2026-12-01T07:59:59Z'))).toBe('not_yet_open');
    expect(windowState(d, new Date('2026-12-01T08:00:00Z'))).toBe('open');
    expect(windowState(d, new Date('2026-12-02T18:59:59Z'))).toBe('open');
    expect(windowState(d, new Date('2026-12-02T19:00:00Z'))).toBe('closed');
  });
  it('is closed for a closed or cancelled distribution', () => {
    expect(windowState({ ...d, status: 'cancelled' }, new Date('2026-12-01T12:00:00Z'))).toBe('closed');
  });
});

describe('message status', () => {
  it('only moves forward', () => {
    expect(movesForward('queued', 'sent')).toBe(true);
    expect(movesForward('sent', 'delivered')).toBe(true);
    expect(movesForward('delivered', 'sent')).toBe(false);
    expect(movesForward('delivered', 'failed')).toBe(false);
    expect(movesForward('delivered', 'delivered')).toBe(false);
  });
  it('maps Twilio statuses', () => {
    expect(fromTwilioStatus('accepted')).toBe('queued');
    expect(fromTwilioStatus('undelivered')).toBe('undelivered');
    expect(fromTwilioStatus('read')).toBe('delivered');
    expect(fromTwilioStatus('nonsense')).toBeNull();
  });
});
