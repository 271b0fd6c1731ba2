import { describe, expect, it } from 'vitest';
import type { CallRecord } from './callState.js';
import { summarise } from './callSummary.js';
import { initialState } from './menu.js';

const record = (path: CallRecord['path'], effects: string[] = []): CallRecord => ({
  callSessionId: 's', groupId: 'g', fromPhone: '+33611111111', customerId: null, voice: { name: 'Polly.Lea-Neural', language: 'fr-FR' },
  facts: { groupName: 'G', timeZone: 'Europe/Paris', operatorPhone: null, operatorHours: [], customerName: null, addressOnFile: null, usualBasket: null, orderOpen: true, nextOpens: null, currentOrders: [], hasActiveOrder: false, openBasket: null, deliveryWindow: null },
  menu: initialState(), step: path.length, path, effects, startedAt: Date.parse('2026-12-01T10:00:00Z'),
});
const now = new Date('2026-12-01T10:01:30Z');

describe('a call’s summary', () => {
  it('names what came of the call', () => {
    expect(summarise(record(['main', 'operator_dial', 'done']), 'completed', 40, now).outcome).toBe('transferred');
    expect(summarise(record(['main', 'status_after', 'done']), 'completed', 40, now).outcome).toBe('menu_ended');
    expect(summarise(record(['main', 'order_menu']), 'completed', 40, now).outcome).toBe('hung_up');
    expect(summarise(record(['main', 'operator_dial', 'operator_record', 'done'], ['task:call_back']), 'completed', 40, now).outcome).toBe('task:call_back');
    // never got through, or nothing known of it
    expect(summarise(null, 'busy', undefined, now)).toEqual({ outcome: 'busy', path: [], durationSeconds: 0, lastNode: null });
    expect(summarise(null, 'completed', 12, now).outcome).toBe('unknown');
  });

  it('takes Twilio’s duration, else the time since the call’s start', () => {
    expect(summarise(record(['main']), 'completed', 40, now).durationSeconds).toBe(40);
    expect(summarise(record(['main']), 'completed', undefined, now).durationSeconds).toBe(90);
  });
});
