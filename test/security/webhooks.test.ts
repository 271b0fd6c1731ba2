// What reaches the Twilio webhooks from outside: forged or replayed requests, control characters
// in signed fields, malformed numbers, senders that are not people.
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/platform/db/client.js';
import { callParams, smsParams } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/db.js';
import { uniqueMobile, type TestGroup } from '../helpers/fixtures.js';
import { createTestGroup, securityApp, signed } from './helpers.js';

const WEBHOOKS = ['/twilio/sms', '/twilio/sms/fallback', '/twilio/voice', '/twilio/voice/step', '/twilio/voice/status', '/twilio/status', '/twilio/recording', '/twilio/voice/notice', '/twilio/voice/notice-status'];
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

let db: Db;
let g: TestGroup;
let app: ReturnType<typeof securityApp>['app'];

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  ({ app } = securityApp(db));
});

const post = (path: string, params: Record<string, string>, signature: string | null = signed(path, params)) => {
  const r = request(app).post(path).type('form');
  if (signature !== null) r.set('X-Twilio-Signature', signature);
  return r.send(params);
};

describe('Twilio webhooks', () => {
  it('refuse a forged, missing or tampered signature on every webhook (403, nothing stored)', async () => {
    for (const path of WEBHOOKS) {
      const params = path.includes('sms') ? smsParams(uniqueMobile(), g.number, '2 baguettes') : callParams(uniqueMobile(), g.number);
      expect([path, (await post(path, params, 'Zm9yZ2Vk')).status]).toEqual([path, 403]);
      expect([path, (await post(path, params, null)).status]).toEqual([path, 403]);
      expect([path, (await post(path, { ...params, From: uniqueMobile() }, signed(path, params))).status]).toEqual([path, 403]);
      expect(await db.customer.count({ where: { phone: params.From } })).toBe(0);
    }
  });

  it('take a replayed SMS once: the same empty answer, one stored text (the worker answers it once: test/sms.test.ts)', async () => {
    const params = smsParams(uniqueMobile(), g.number, '2 baguettes');
    const first = await post('/twilio/sms', params);
    const again = await post('/twilio/sms', params);
    expect(first.text).toBe(EMPTY_TWIML);
    expect(again.text).toBe(EMPTY_TWIML);
    expect(await db.message.count({ where: { twilioSid: params.MessageSid } })).toBe(1);
    // the webhook decides nothing: no resident, no order before the worker's turn
    expect(await db.order.count({ where: { customer: { phone: params.From } } })).toBe(0);
  });

  it('answer 400, never 500, to a control character in a signed identifier, on every webhook', async () => {
    for (const path of WEBHOOKS) {
      for (const field of ['From', 'To', 'MessageSid', 'CallSid']) {
        const base = path.includes('sms') ? smsParams(uniqueMobile(), g.number, 'AIDE') : callParams(uniqueMobile(), g.number);
        const params = { ...base, [field]: `${base[field as keyof typeof base] ?? 'x'}\u0000` };
        const res = await post(path, params);
        expect([path, field, res.status]).toEqual([path, field, 400]);
      }
    }
  });

  it('clean control characters out of an SMS body (someone’s own words) rather than refuse them', async () => {
    const params = smsParams(uniqueMobile(), g.number, 'AI\u0000DE\u0007');
    expect((await post('/twilio/sms', params)).status).toBe(200);
    expect((await db.message.findUniqueOrThrow({ where: { twilioSid: params.MessageSid } })).body).toBe('AIDE');
  });

  it('answer 400 to a malformed To, MessageSid or From', async () => {
    for (const bad of [{ To: '0970000001' }, { To: 'abc' }, { MessageSid: 'SM/../x' }, { From: '<script>' }, { From: 'x'.repeat(60) }]) {
      const params = { ...smsParams(uniqueMobile(), g.number, 'AIDE'), ...bad };
      expect([bad, (await post('/twilio/sms', params)).status]).toEqual([bad, 400]);
    }
  });

  it('record texts from senders that are not people (SFR, a short code, letters) without answering or creating a resident', async () => {
    for (const from of ['SFR', '36179', 'abc', '+33000000000']) {
      const params = smsParams(from, g.number, 'Votre forfait est renouvele. Repondez STOP');
      const res = await post('/twilio/sms', params);
      expect([from, res.status, res.text]).toEqual([from, 200, EMPTY_TWIML]);
      expect(await db.message.findUniqueOrThrow({ where: { twilioSid: params.MessageSid } })).toMatchObject({ direction: 'inbound', fromPhone: from, customerId: null, kind: 'from_non_person' });
      expect(await db.customer.count({ where: { phone: from } })).toBe(0);
      expect(await db.message.count({ where: { toPhone: from } })).toBe(0);
    }
  });
});
