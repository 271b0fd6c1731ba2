import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import type { Db } from '../src/platform/db/client.js';
import { callParams, sign, smsParams, TEST_PUBLIC_URL, type LogCapture } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueGroupNumber, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { EMPTY_SMS_TWIML, replyTo, startSmsWorld } from './helpers/sms.js';

let db: Db;
let app: Express;
let logs: LogCapture;
let g: TestGroup;
let world: Awaited<ReturnType<typeof startSmsWorld>>;

afterAll(() => world?.stop());

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  world = await startSmsWorld(db);
  ({ app, logs } = world);
  g = await createTestGroup(db);
});

function post(path: string, params: Record<string, string>, signature: string | null = sign(path, params)) {
  const req = request(app).post(path).type('form').send(params);
  return signature === null ? req : req.set('X-Twilio-Signature', signature);
}

describe('the signature guard', () => {
  it('answers 403 and stores nothing for a forged or missing signature', async () => {
    const params = smsParams(g.customerPhone, g.number, '2 baguettes');
    const forged = await post('/twilio/sms', params, sign('/twilio/sms', params, 'wrong-token'));
    expect(forged.status).toBe(403);
    const missing = await post('/twilio/sms', params, null);
    expect(missing.status).toBe(403);
    // signed for other parameters than those sent
    const tampered = await post('/twilio/sms', { ...params, Body: '200 baguettes' }, sign('/twilio/sms', params));
    expect(tampered.status).toBe(403);
    expect(await db.message.count({ where: { twilioSid: params.MessageSid } })).toBe(0);
    const call = callParams(g.customerPhone, g.number);
    expect((await post('/twilio/voice', call, 'bogus')).status).toBe(403);
    expect(await db.callSession.count({ where: { callSid: call.CallSid } })).toBe(0);
  });

  it('checks against PUBLIC_BASE_URL, so it works behind a proxy whatever Host the app sees', async () => {
    const params = smsParams(g.customerPhone, g.number, 'bonjour');
    const res = await post('/twilio/sms', params).set('Host', '127.0.0.1:3000').set('X-Forwarded-Proto', 'http');
    expect(res.status).toBe(200);
    expect(TEST_PUBLIC_URL.startsWith('https://')).toBe(true);
  });

  it('includes the query string in what is signed', async () => {
    const path = '/twilio/status?messageId=00000000-0000-4000-8000-000000000000';
    const params = { MessageSid: 'SMx', MessageStatus: 'sent' };
    expect((await post(path, params, sign('/twilio/status', params))).status).toBe(403);
    expect((await post(path, params)).status).toBe(204);
  });
});

describe('POST /twilio/sms', () => {
  it('keeps the inbound message, answers an empty TwiML, and the worker replies with the order it understood', async () => {
    const params = smsParams(g.customerPhone, g.number, '2 baguettes et 6 oeufs');
    const res = await post('/twilio/sms', params);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/xml');
    expect(res.text).toBe(EMPTY_SMS_TWIML);
    const inbound = await db.message.findUniqueOrThrow({ where: { twilioSid: params.MessageSid } });
    expect(inbound).toMatchObject({ direction: 'inbound', body: '2 baguettes et 6 oeufs', fromPhone: g.customerPhone, status: 'received', groupId: g.groupId });
    const reply = await replyTo(db, world.twilio, params.MessageSid);
    expect(reply).toMatch(/^Vous commandez:\n2 Baguette tradition 2,40 €\n1 Oeufs \(boite de 6\) 2,40 €/);
    expect(reply).toContain('Répondez OUI pour confirmer ou NON pour annuler.');
    expect(await db.message.findUniqueOrThrow({ where: { id: inbound.id } })).toMatchObject({ customerId: g.customerId });
    const row = await db.message.findFirstOrThrow({ where: { inReplyToId: inbound.id } });
    expect(row).toMatchObject({ direction: 'outbound', toPhone: g.customerPhone, fromPhone: g.number, encoding: 'GSM-7', customerId: g.customerId, kind: 'reply', recipientRole: 'resident' });
    // sent through the REST API with a status callback, like every notice: its status moves on
    const sent = world.twilio.to(g.customerPhone).find((m) => m.StatusCallback?.endsWith(`messageId=${row.id}`));
    expect(sent).toMatchObject({ From: g.number, StatusCallback: `${TEST_PUBLIC_URL}/twilio/status?messageId=${row.id}` });
    expect((await db.message.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('queued');
  });

  it('takes a duplicate webhook once: one reply, nothing changed twice', async () => {
    const params = smsParams(uniqueMobile(), g.number, '3 croissants');
    const first = await post('/twilio/sms', params);
    const second = await post('/twilio/sms', params);
    expect(first.text).toBe(EMPTY_SMS_TWIML);
    expect(second.status).toBe(200);
    expect(second.text).toBe(EMPTY_SMS_TWIML);
    expect(await replyTo(db, world.twilio, params.MessageSid)).toContain('3 Croissant');
    expect(await db.message.count({ where: { OR: [{ twilioSid: params.MessageSid }, { toPhone: params.From }] } })).toBe(2);
    expect(world.twilio.to(params.From)).toHaveLength(1);
    expect(await db.order.count({ where: { customer: { phone: params.From } } })).toBe(1);
  });

  it('answers an empty TwiML and warns for a number no group owns', async () => {
    const params = smsParams(uniqueMobile(), uniqueGroupNumber(), 'bonjour');
    const res = await post('/twilio/sms', params);
    expect(res.status).toBe(200);
    expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await db.message.count({ where: { twilioSid: params.MessageSid } })).toBe(0);
    expect(logs.lines.some((l) => l.msg === 'SMS to a number no group owns' && l.level === 40)).toBe(true);
  });

  it('answers 400 to a malformed webhook', async () => {
    const res = await post('/twilio/sms', { Body: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_input');
  });

  it('never logs the phone numbers it handled', () => {
    const text = logs.text();
    expect(text).not.toContain(g.customerPhone);
    expect(text).not.toContain(g.customerPhone.slice(3));
  });
});

describe('POST /twilio/voice', () => {
  it('records the call session and greets the caller by name with the main menu', async () => {
    const params = callParams(g.customerPhone, g.number);
    const res = await post('/twilio/voice', params);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Say voice="Polly.Lea-Neural" language="fr-FR">Bonjour Madame Test. Bienvenue au Panier de Test.</Say>');
    expect(res.text).toContain('Pour commander, tapez 1.');
    expect(res.text).toMatch(/<Gather input="dtmf speech" action="https:\/\/panier\.example\.org\/twilio\/voice\/step\?seq=1"/);
    expect(res.text).toContain('<Redirect method="POST">https://panier.example.org/twilio/voice/step?seq=1&amp;timeout=1</Redirect>');
    const session = await db.callSession.findUniqueOrThrow({ where: { callSid: params.CallSid } });
    // the call's place in the menu lives in Redis while it lasts: the row is summarised at its end
    expect(session).toMatchObject({ customerId: g.customerId, fromPhone: g.customerPhone, groupId: g.groupId, endedAt: null });
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now());
    // Twilio retrying the same step: the same answer, still one session
    const again = await post('/twilio/voice', params);
    expect(again.text).toBe(res.text);
    expect(await db.callSession.count({ where: { callSid: params.CallSid } })).toBe(1);
  });
});

describe('POST /twilio/status', () => {
  it('moves a message status forward only and ignores replays', async () => {
    const m = await db.message.create({ data: { groupId: g.groupId, direction: 'outbound', fromPhone: g.number, toPhone: g.customerPhone, body: 'x', status: 'sending', twilioSid: `SM${Date.now()}` } });
    const cb = (status: string, extra: Record<string, string> = {}) => ({ MessageSid: m.twilioSid as string, MessageStatus: status, AccountSid: 'AC', ...extra });
    expect((await post('/twilio/status', cb('sent'))).status).toBe(204);
    expect((await db.message.findUniqueOrThrow({ where: { id: m.id } })).status).toBe('sent');
    await post('/twilio/status', cb('delivered'));
    // a late "sent" arrives after "delivered"
    await post('/twilio/status', cb('sent'));
    await post('/twilio/status', cb('delivered'));
    expect((await db.message.findUniqueOrThrow({ where: { id: m.id } })).status).toBe('delivered');
    expect(await db.messageStatusEvent.count({ where: { messageId: m.id } })).toBe(2);
  });

  it('finds the message by our id in the callback URL even before its SID is known', async () => {
    const m = await db.message.create({ data: { groupId: g.groupId, direction: 'outbound', fromPhone: g.number, toPhone: g.customerPhone, body: 'x', status: 'sending' } });
    const path = `/twilio/status?messageId=${m.id}`;
    const params = { MessageSid: 'SMabc123', MessageStatus: 'undelivered', ErrorCode: '30003' };
    expect((await post(path, params)).status).toBe(204);
    expect(await db.message.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ status: 'undelivered', errorCode: 30003, twilioSid: 'SMabc123' });
  });
});

describe('POST /twilio/recording', () => {
  it('keeps every recording as work for the operator, once', async () => {
    const call = callParams(g.customerPhone, g.number);
    await post('/twilio/voice', call);
    const rec = { CallSid: call.CallSid, RecordingSid: `RE${Date.now()}`, RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1', RecordingDuration: '42', RecordingStatus: 'completed' };
    expect((await post('/twilio/recording', rec)).status).toBe(204);
    expect((await post('/twilio/recording', rec)).status).toBe(204);
    const tasks = await db.callTask.findMany({ where: { recordingSid: rec.RecordingSid } });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'call_back', status: 'open', recordingSeconds: 42, customerId: g.customerId });
  });
});

describe('health', () => {
  it('answers /healthz and /readyz with the database and Redis', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', database: 'ok', redis: 'ok' });
  });
});
