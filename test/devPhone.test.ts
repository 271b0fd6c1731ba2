// Demo mode end to end through real HTTP: /dev/phone texts an order (a signed inbound webhook that
// only takes the text), the worker answers it and sends the reply and the notices through the
// Twilio stand-in (/dev/twilio, via the SDK), the stand-in's signed status callbacks mark them
// delivered. `npm run phone` reads the reply the same way. Nothing here is mocked.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TWILIO_ACCOUNT_SID, DEMO_TWILIO_AUTH_TOKEN } from '../src/config.js';
import type { Db } from '../src/platform/db/client.js';
import { createPhoneSimulator } from '../src/demo/phoneSimulator.js';
import { createTwilioClient } from '../src/platform/twilio.js';
import { useTestDatabase } from './helpers/db.js';
import { startDemoServer } from './helpers/demoServer.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { waitFor } from './helpers/pipeline.js';

let db: Db;
let g: TestGroup;
let base: string;
let stop: () => Promise<void>;
let leadPhone: string;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  leadPhone = uniqueMobile();
  await db.staffUser.create({ data: { groupId: g.groupId, role: 'delivery_lead', name: 'Marc', phone: leadPhone } });
  await db.courier.create({ data: { groupId: g.groupId, name: 'Julie', phone: uniqueMobile() } });
  const demo = await startDemoServer(db);
  base = demo.base;
  stop = demo.stop;
});

afterAll(() => stop());

async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as T;
}

describe('/dev/phone in demo mode', () => {
  it('serves the page and lists the demo phones', async () => {
    const page = await fetch(`${base}/dev/phone`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('MODE DÉMO');
    const people = await api<{ number: string; leads: { phone: string }[]; couriers: { name: string }[] }[]>('/dev/phone/api/people');
    const ours = people.find((p) => p.number === g.number);
    expect(ours?.leads.map((l) => l.phone)).toEqual([leadPhone]);
    expect(ours?.couriers.map((c) => c.name)).toEqual(['Julie']);
  });

  it('texting an order end to end: webhook → order → notices through the stand-in → delivered', async () => {
    const resident = uniqueMobile();
    const carer = uniqueMobile();
    const first = await api<{ state: string; replies: string[] }>('/dev/phone/api/sms', { from: resident, to: g.number, body: '2 baguettes' });
    expect(first.state).toBe('answered');
    expect(first.replies[0]).toMatch(/^Vous commandez:\n2 Baguette tradition 2,40 €/);
    // the reply went out like any notice: the stand-in's callbacks move it to delivered
    const draft = await waitFor('reply delivered', async () => {
      const thread = await api<{ body: string; status: string; direction: string }[]>(`/dev/phone/api/thread?phone=${encodeURIComponent(resident)}`);
      return thread.find((m) => m.direction === 'outbound' && m.body === first.replies[0] && m.status === 'delivered');
    });
    expect(draft.status).toBe('delivered');
    const draftRow = await db.message.findFirstOrThrow({ where: { toPhone: resident, kind: 'reply' }, include: { statusEvents: true } });
    expect(draftRow.twilioSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(draftRow.statusEvents.map((e) => e.status).sort()).toEqual(['delivered', 'sent']);
    // the resident has a carer: the confirmation goes to them through the stand-in
    await db.customer.update({ where: { groupId_phone: { groupId: g.groupId, phone: resident } }, data: { secondaryContactPhone: carer, name: 'Mme Roux' } });
    const confirmed = await api<{ replies: string[] }>('/dev/phone/api/sms', { from: resident, to: g.number, body: 'OUI' });
    expect(confirmed.replies[0]).toMatch(/^Commande confirmée, panier (\d+)/);
    const basket = Number(/panier (\d+)/.exec(confirmed.replies[0]!)![1]);
    const copy = await waitFor('confirmation copy delivered', async () => {
      const thread = await api<{ body: string; status: string }[]>(`/dev/phone/api/thread?phone=${encodeURIComponent(carer)}`);
      return thread.find((m) => m.body.startsWith(`Pour Mme Roux : Commande confirmée, panier ${basket}`) && m.status === 'delivered');
    });
    expect(copy.status).toBe('delivered');
    const copyRow = await db.message.findFirstOrThrow({ where: { toPhone: carer, kind: 'order.confirmed' }, include: { statusEvents: true } });
    expect(copyRow.twilioSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(copyRow.statusEvents.map((e) => e.status).sort()).toEqual(['delivered', 'sent']);

    // home delivery asked: the lead's SMS goes out through the stand-in too
    const delivery = await api<{ replies: string[] }>('/dev/phone/api/sms', { from: resident, to: g.number, body: 'LIVRAISON 4 rue Haute, 58140 Lormes' });
    expect(delivery.replies[0]).toMatch(/^Livraison demandée/);
    const toLead = await waitFor('lead SMS delivered', async () => {
      const thread = await api<{ body: string; status: string; direction: string }[]>(`/dev/phone/api/thread?phone=${encodeURIComponent(leadPhone)}`);
      return thread.find((m) => m.body.startsWith(`Livraison panier ${basket} - Lormes`) && m.status === 'delivered');
    });
    expect(toLead.direction).toBe('outbound');
    const row = await db.message.findFirstOrThrow({ where: { toPhone: leadPhone, kind: 'delivery.requested' }, include: { statusEvents: true } });
    expect(row.twilioSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(row.statusEvents.map((e) => e.status).sort()).toEqual(['delivered', 'sent']);

    // the lead assigns by SMS from their phone: the carer hears who comes
    const assigned = await api<{ replies: string[] }>('/dev/phone/api/sms', { from: leadPhone, to: g.number, body: `A ${basket} JULIE` });
    expect(assigned.replies[0]).toBe(`Panier ${basket} attribué à Julie. SMS envoyé.`);
    await waitFor('carer told', async () => {
      const thread = await api<{ body: string; status: string }[]>(`/dev/phone/api/thread?phone=${encodeURIComponent(carer)}`);
      return thread.find((m) => m.body.startsWith(`Pour Mme Roux : Votre panier ${basket} sera livré`) && m.status === 'delivered');
    });
  });

  it('calling walks the voice menu, follows redirects, and takes a recorded message', async () => {
    type Screen = { callSid: string; said: string[]; gather: unknown; record: unknown; ended: boolean };
    const caller = uniqueMobile();
    let screen = await api<Screen>('/dev/phone/api/call', { from: caller, to: g.number });
    expect(screen.said.join(' ')).toContain('Pour commander, tapez 1');
    screen = await api<Screen>('/dev/phone/api/call/answer', { callSid: screen.callSid, input: { digits: '1' } });
    screen = await api<Screen>('/dev/phone/api/call/answer', { callSid: screen.callSid, input: { digits: '4' } });
    expect(screen.record).not.toBeNull();
    screen = await api<Screen>('/dev/phone/api/call/answer', { callSid: screen.callSid, input: { recording: { seconds: 12 } } });
    expect(screen.ended).toBe(true);
    const task = await waitFor('task with the recording', () => db.callTask.findFirst({ where: { callerPhone: caller, recordingUrl: { not: null } } }));
    expect(task.kind).toBe('order_to_enter');
    expect(task.recordingUrl).toBe(`${base}/dev/phone/recording.wav`);
    const wav = await fetch(task.recordingUrl!);
    expect(wav.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await wav.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
  });

  it('npm run phone texts the service and prints the reply the worker sent to the stand-in', async () => {
    const resident = uniqueMobile();
    const env = { ...process.env, PORT: '1', PHONE_APP_URL: base, PUBLIC_BASE_URL: base, REPLY_WAIT_MS: '20000' };
    const run = (...args: string[]) => promisify(execFile)('npx', ['tsx', 'scripts/phone.ts', '--to', g.number, ...args], { env, timeout: 60_000 });
    const order = await run('sms', resident, '2 baguettes');
    expect(order.stdout).toMatch(/^Vous commandez:\n2 Baguette tradition 2,40 €/);
    const confirmed = await run('sms', resident, 'OUI');
    expect(confirmed.stdout).toMatch(/^Commande confirmée, panier \d+/);
  }, 90_000);

  it('the reply to a text is asked for by its SID: waiting until the worker answered, then the text', async () => {
    const phone = createPhoneSimulator({ appUrl: base, publicBaseUrl: base, accountSid: DEMO_TWILIO_ACCOUNT_SID, authToken: DEMO_TWILIO_AUTH_TOKEN });
    const unknown = await phone.awaitReply(`SM${'0'.repeat(32)}`, 0);
    expect(unknown).toMatchObject({ state: 'waiting', replies: [], stage: 'not_stored' });
    const { messageSid } = await phone.sms(uniqueMobile(), g.number, 'AIDE');
    const reply = await phone.awaitReply(messageSid, 20_000);
    expect(reply).toMatchObject({ state: 'answered' });
    expect(reply?.replies).toHaveLength(1);
    const bad = await fetch(`${base}/dev/phone/api/reply?messageSid=nope`);
    expect(bad.status).toBe(400);
  });

  it('bad input gets a clear 400, not a crash', async () => {
    const res = await fetch(`${base}/dev/phone/api/sms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: 'abc', to: g.number, body: '' }) });
    expect(res.status).toBe(400);
  });

  it('the stand-in answers as Twilio does: basic auth, error codes', async () => {
    const url = `${base}/dev/twilio/2010-04-01/Accounts/${DEMO_TWILIO_ACCOUNT_SID}/Messages.json`;
    const auth = `Basic ${Buffer.from(`${DEMO_TWILIO_ACCOUNT_SID}:${DEMO_TWILIO_AUTH_TOKEN}`).toString('base64')}`;
    const noAuth = await fetch(url, { method: 'POST', body: new URLSearchParams({ To: '+33612345678', From: g.number, Body: 'x' }) });
    expect(noAuth.status).toBe(401);
    expect(((await noAuth.json()) as { code: number }).code).toBe(20003);
    const noTo = await fetch(url, { method: 'POST', headers: { authorization: auth }, body: new URLSearchParams({ From: g.number, Body: 'x' }) });
    expect(noTo.status).toBe(400);
    expect(((await noTo.json()) as { code: number }).code).toBe(21604);
    // the SDK reads it as Twilio's own error
    const client = createTwilioClient(DEMO_TWILIO_ACCOUNT_SID, DEMO_TWILIO_AUTH_TOKEN, `${base}/dev/twilio`);
    await expect(client.messages.create({ to: '', from: g.number, body: 'x' })).rejects.toMatchObject({ status: 400, code: 21604 });
    const ok = await client.messages.create({ to: '+33612345678', from: g.number, body: 'Bonjour' });
    expect(ok.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(ok.status).toBe('queued');
  });
});
