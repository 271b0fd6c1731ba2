// RGPD on real PostgreSQL: retention with the clock moved forward (and the deletions at Twilio's
// boundary, nock), the first-contact notice by SMS and voice within the SMS budget, DONNEES, carers.
import crypto from 'node:crypto';
import nock from 'nock';
import type { Express } from 'express';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGsm7 } from '../src/i18n/gsm7.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { createTwilioClient } from '../src/platform/twilio.js';
import { applyRetention } from '../src/privacy/retentionRun.js';
import { createPrivacySweep } from '../src/privacy/sweep.js';
import { processTwilioDeletions } from '../src/privacy/twilioDeletions.js';
import { countSegments } from '../src/sms/segments.js';
import { buildTestApp } from './helpers/app.js';
import { SimulatedCall } from './helpers/call.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { ACCOUNT_SID, TWILIO_BASE, startTestPipeline, waitFor } from './helpers/pipeline.js';
import { smsTexter, startSmsWorld } from './helpers/sms.js';

let db: Db;
let g: TestGroup;
let app: Express;
const log = createLogger('silent');
const twilio = createTwilioClient(ACCOUNT_SID, 'test-auth-token-0123456789', TWILIO_BASE);
const DAY = 24 * 3600_000;
const sidOf = (prefix: string) => `${prefix}${crypto.randomBytes(16).toString('hex')}`;
const ACCOUNT_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}`;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  ({ app } = buildTestApp(db));
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

async function resident(data: Record<string, unknown> = {}) {
  return db.customer.create({ data: { groupId: g.groupId, phone: uniqueMobile(), name: 'Mme Retention', lineType: 'mobile', ...data } });
}

async function order(customerId: string, createdAt: Date, status: 'collected' | 'confirmed' = 'collected') {
  return db.order.create({ data: { groupId: g.groupId, customerId, distributionId: g.distributionId, channel: 'sms', status, createdAt, estimatedCents: 240 } });
}

describe('retention, applied with the clock moved forward', () => {
  it('a recording goes 30 days after its task is done: at Twilio (DELETE) and here', async () => {
    const t0 = new Date();
    const c = await resident();
    const done = await db.callTask.create({
      data: { groupId: g.groupId, kind: 'order_to_enter', status: 'done', doneAt: t0, callerPhone: c.phone, customerId: c.id, recordingSid: sidOf('RE'), recordingUrl: 'https://api.twilio.com/rec.wav', recordingSeconds: 42 },
    });
    const open = await db.callTask.create({ data: { groupId: g.groupId, kind: 'call_back', callerPhone: c.phone, recordingSid: sidOf('RE'), recordingUrl: 'https://api.twilio.com/open.wav' } });

    expect((await applyRetention({ db, groupId: g.groupId, now: new Date(t0.getTime() + 29 * DAY) })).recordings).toBe(0);
    const counts = await applyRetention({ db, groupId: g.groupId, now: new Date(t0.getTime() + 31 * DAY) });
    expect(counts.recordings).toBe(1);
    expect(await db.callTask.findUniqueOrThrow({ where: { id: done.id } })).toMatchObject({ recordingSid: null, recordingUrl: null, recordingSeconds: 42 });
    expect((await db.callTask.findUniqueOrThrow({ where: { id: done.id } })).recordingDeletedAt).toBeInstanceOf(Date);
    expect(await db.callTask.findUniqueOrThrow({ where: { id: open.id } })).toMatchObject({ recordingSid: open.recordingSid, recordingDeletedAt: null });

    // the worker deletes it at Twilio; Twilio down once, then done
    const path = `${ACCOUNT_PATH}/Recordings/${done.recordingSid}.json`;
    nock(TWILIO_BASE).delete(path).reply(503, { code: 20500, message: 'Internal Server Error', status: 503 });
    const first = await processTwilioDeletions({ db, twilio, log, now: new Date(), groupId: g.groupId });
    expect(first).toEqual({ deleted: 0, failed: 1 });
    const scope = nock(TWILIO_BASE).delete(path).reply(204);
    expect(await processTwilioDeletions({ db, twilio, log, now: new Date(), groupId: g.groupId })).toEqual({ deleted: 1, failed: 0 });
    expect(scope.isDone()).toBe(true);
    expect(await db.twilioDeletion.findUniqueOrThrow({ where: { sid: done.recordingSid! } })).toMatchObject({ kind: 'recording', reason: 'retention', attempts: 2, lastError: null });
  });

  it('texts and call transcripts are erased after 6 months; the order they produced stays', async () => {
    const t0 = new Date();
    const c = await resident();
    const o = await order(c.id, t0, 'confirmed');
    const inbound = await db.message.create({
      data: { groupId: g.groupId, direction: 'inbound', twilioSid: sidOf('SM'), fromPhone: c.phone, toPhone: g.number, body: '2 baguettes, je suis au 4 rue des Lilas', status: 'received', customerId: c.id, orderId: o.id },
    });
    const call = await db.callSession.create({
      data: { groupId: g.groupId, callSid: sidOf('CA'), fromPhone: c.phone, toPhone: g.number, customerId: c.id, data: { menu: { heard: 'deux baguettes au 4 rue des Lilas' } }, expiresAt: t0 },
    });
    await db.webhookReceipt.create({ data: { key: `voice:${call.callSid}:3`, response: '<Say>Bonjour Mme Retention, 4 rue des Lilas</Say>' } });

    expect((await applyRetention({ db, groupId: g.groupId, now: new Date(t0.getTime() + 150 * DAY) })).messageBodies).toBe(0);
    const counts = await applyRetention({ db, groupId: g.groupId, now: new Date(t0.getTime() + 186 * DAY) });
    expect(counts.messageBodies).toBeGreaterThanOrEqual(1);
    expect(counts.callTranscripts).toBeGreaterThanOrEqual(1);
    expect(await db.message.findUniqueOrThrow({ where: { id: inbound.id } })).toMatchObject({ body: '', orderId: o.id });
    expect(await db.order.findUniqueOrThrow({ where: { id: o.id } })).toMatchObject({ status: 'confirmed', customerId: c.id });
    expect((await db.callSession.findUniqueOrThrow({ where: { id: call.id } })).data).toEqual({});
    expect(await db.webhookReceipt.findUnique({ where: { key: `voice:${call.callSid}:3` } })).toBeNull();
    expect(await db.twilioDeletion.findUnique({ where: { sid: inbound.twilioSid! } })).toMatchObject({ kind: 'message', reason: 'retention', doneAt: null });
  });

  it('a resident with no order for 24 months is reported to the coordinator, then anonymised 30 days later', async () => {
    const t0 = new Date();
    const c = await resident({ address: '7 chemin des Retraites', secondaryContactName: 'Fils', secondaryContactPhone: uniqueMobile(), secondaryContactReason: 'demandé', secondaryContactToldAt: t0 });
    const kept = await order(c.id, t0);
    const again = await resident();
    await order(again.id, t0);

    const warnAt = new Date(t0.getTime() + 740 * DAY);
    const warned = await applyRetention({ db, groupId: g.groupId, now: warnAt });
    expect(warned.residentsWarned).toBeGreaterThanOrEqual(2);
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).inactivityWarnedAt).toEqual(warnAt);
    expect(await db.customer.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ name: 'Mme Retention', anonymisedAt: null });

    // one of them orders again after the warning: kept, warning cleared
    await order(again.id, new Date(warnAt.getTime() + DAY));
    expect((await applyRetention({ db, groupId: g.groupId, now: new Date(warnAt.getTime() + 10 * DAY) })).residentsAnonymised).toBe(0);
    const later = await applyRetention({ db, groupId: g.groupId, now: new Date(warnAt.getTime() + 31 * DAY) });
    expect(later.residentsAnonymised).toBeGreaterThanOrEqual(1);
    const gone = await db.customer.findUniqueOrThrow({ where: { id: c.id } });
    expect(gone).toMatchObject({ name: null, address: null, secondaryContactPhone: null, secondaryContactName: null, phone: `anonyme-${c.id}` });
    expect(gone.anonymisedAt).toBeInstanceOf(Date);
    expect(await db.order.findUniqueOrThrow({ where: { id: kept.id } })).toMatchObject({ customerId: c.id, estimatedCents: 240 });
    expect(await db.customer.findUniqueOrThrow({ where: { id: again.id } })).toMatchObject({ name: 'Mme Retention', inactivityWarnedAt: null, anonymisedAt: null });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { entityId: c.id, action: 'privacy.anonymised' } });
    expect(audit.actorKind).toBe('system');
  });

  it('old audit and access-log rows are dropped; each run writes its counts, never content', async () => {
    const t0 = new Date();
    const c = await resident();
    const staff = await db.staffUser.create({ data: { groupId: g.groupId, role: 'operator', name: 'Standard' } });
    await db.auditEvent.create({ data: { groupId: g.groupId, actorKind: 'staff', action: 'order.entered', entityType: 'Order', entityId: 'x', createdAt: t0 } });
    await db.accessLogEntry.create({ data: { groupId: g.groupId, staffId: staff.id, customerId: c.id, page: 'customer', at: t0 } });
    const a = await applyRetention({ db, groupId: g.groupId, now: new Date(t0.getTime() + 370 * DAY) });
    expect(a.accessLogRows).toBe(1);
    expect(a.auditRows).toBe(0);
    const b = await applyRetention({ db, groupId: g.groupId, now: new Date(t0.getTime() + 1100 * DAY) });
    expect(b.auditRows).toBeGreaterThanOrEqual(1);
    const runs = await db.auditEvent.findMany({ where: { groupId: g.groupId, action: 'privacy.retention' }, orderBy: { createdAt: 'desc' } });
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) for (const v of Object.values(r.data as Record<string, unknown>)) expect(typeof v).toBe('number');
  });

  it('the worker’s sweep runs retention at most hourly per group', async () => {
    const pipeline = await startTestPipeline(db, log, { twilio });
    try {
      const sweep = createPrivacySweep({ db, twilio, senders: pipeline.pipeline.senders, log });
      const at = new Date(Date.now() + 5000 * DAY);
      const c = await resident();
      const recording = sidOf('RE');
      await db.callTask.create({ data: { groupId: g.groupId, kind: 'call_back', status: 'done', doneAt: new Date(), callerPhone: c.phone, recordingSid: recording, recordingUrl: 'https://api.twilio.com/x.wav' } });
      const scope = nock(TWILIO_BASE).persist().delete(new RegExp(`${ACCOUNT_PATH}/(Recordings|Messages)/`)).reply(204);
      const first = await sweep(at);
      expect(first.recordings).toBeGreaterThanOrEqual(1);
      // deleted at Twilio by this pass (or by the pipeline's own tick, running at the same time)
      expect((await db.twilioDeletion.findUniqueOrThrow({ where: { sid: recording } })).doneAt).toBeInstanceOf(Date);
      scope.persist(false);
      await db.callTask.create({ data: { groupId: g.groupId, kind: 'call_back', status: 'done', doneAt: new Date(), callerPhone: c.phone, recordingSid: sidOf('RE'), recordingUrl: 'https://api.twilio.com/y.wav' } });
      expect((await sweep(new Date(at.getTime() + 30 * 60_000))).recordings).toBeUndefined();
      expect((await sweep(new Date(at.getTime() + 61 * 60_000))).recordings).toBe(1);
    } finally {
      await pipeline.stop();
    }
  });
});

// texts are answered by the worker: each test of the blocks below has the web side, the worker
// and Twilio's fake (nock is cleaned after each test)
let world: Awaited<ReturnType<typeof startSmsWorld>> | undefined;
const text = smsTexter({ db: () => db, app: () => world!.app, number: () => g.number, twilio: () => world!.twilio });
const startWorld = async () => {
  world = await startSmsWorld(db);
};
const stopWorld = async () => {
  await world?.stop();
  world = undefined;
};

describe('information at first contact', () => {
  beforeEach(startWorld);
  afterEach(stopWorld);

  it('the first SMS reply to a new number carries the notice, within 3 segments; the next does not', async () => {
    await db.group.update({ where: { id: g.groupId }, data: { operatorPhone: '+33386220101' } });
    const phone = uniqueMobile();
    const first = await text(phone, '2 baguettes et 6 oeufs');
    expect(first).toMatch(/^Vous commandez:\n2 Baguette tradition 2,40 €/);
    expect(first!.endsWith('\nVos données servent à vos commandes. Infos : 03 86 22 01 01 ou DONNEES')).toBe(true);
    expect(countSegments(first!)).toEqual({ encoding: 'GSM-7', segments: 3 });
    const second = await text(phone, 'OUI');
    expect(second).toMatch(/^Commande confirmée/);
    expect(second).not.toContain('DONNEES');
    const c = await db.customer.findFirstOrThrow({ where: { groupId: g.groupId, phone } });
    expect(c.privacyNoticeAt).toBeInstanceOf(Date);
  });

  it('the first call says the notice after the greeting; the second call does not', async () => {
    const c = await resident();
    const first = new SimulatedCall(app, c.phone, g.number);
    await first.start();
    const notice = 'Vos données servent seulement à vos commandes. Pour en savoir plus, tapez 0 et demandez le standard.';
    // the civility said in full ("Mme" on file)
    expect(first.said()[0]).toBe('Bonjour Madame Retention. Bienvenue au Panier de Test.');
    expect(first.said()).toContain(notice);
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).privacyNoticeAt).toBeInstanceOf(Date);
    // told once: neither the next call nor the first SMS reply repeats it
    const again = new SimulatedCall(app, c.phone, g.number);
    await again.start();
    expect(again.said().join(' ')).not.toContain('Vos données');
    expect(await text(c.phone, 'AIDE')).not.toContain('DONNEES');
    // an unknown number is told too
    const stranger = new SimulatedCall(app, uniqueMobile(), g.number);
    await stranger.start();
    expect(stranger.said()).toContain(notice);
  });

  it('DONNEES (or "mes données") by SMS: what we keep, and a task for the mairie, once', async () => {
    const c = await resident({ privacyNoticeAt: new Date() });
    const reply = await text(c.phone, 'DONNEES');
    expect(reply).toContain('Nous gardons votre nom, numéro, adresse et commandes pour vos paniers.');
    expect(reply).toContain('réponse sous 1 mois');
    expect(countSegments(toGsm7(reply!)).segments).toBeLessThanOrEqual(3);
    await text(c.phone, 'mes données svp');
    const tasks = await db.callTask.findMany({ where: { customerId: c.id, kind: 'data_request' } });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.note).toBe('Demande reçue par SMS');
  });
});

describe('carers', () => {
  beforeEach(startWorld);
  afterEach(stopWorld);

  it('a carer is told once by SMS that copies will come, with how to stop; STOP removes them', async () => {
    const fake = world!.twilio;
    const pipeline = world!.running;
    {
      const carer = uniqueMobile();
      const c = await resident({ name: 'Mme Carer', secondaryContactName: 'Paul', secondaryContactPhone: carer, secondaryContactReason: 'demandé par Mme Carer', secondaryContactAddedAt: new Date() });
      const sweep = createPrivacySweep({ db, twilio, senders: pipeline.pipeline.senders, log });
      // this sweep, or the pipeline's own minute sweep a moment before it (seen on a loaded CI run)
      expect((await sweep(new Date())).carersTold).toBeLessThanOrEqual(1);
      const [told] = await waitFor('carer told', () => (fake.to(carer).length ? fake.to(carer) : null));
      expect(told!.Body).toBe('Mme Carer vous a indiqué comme proche : vous recevrez une copie de ses messages du panier. Pour arreter, répondez STOP ou appelez le 03 86 22 01 01.');
      expect((await sweep(new Date())).carersTold).toBe(0);
      // told once, whichever sweep did it
      expect(await db.message.count({ where: { toPhone: carer, direction: 'outbound' } })).toBe(1);
      expect((await db.customer.findUniqueOrThrow({ where: { id: c.id } })).secondaryContactToldAt).toBeInstanceOf(Date);
      // the carer answers STOP: no more copies, the record says so
      expect(await text(carer, 'STOP')).toContain('Vous ne recevrez plus nos SMS');
      expect((await sweep(new Date())).carersStopped).toBeLessThanOrEqual(1); // or the pipeline's own sweep did it
      expect(await db.customer.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ secondaryContactPhone: null, secondaryContactReason: null });
      expect(await db.auditEvent.findFirst({ where: { entityId: c.id, action: 'customer.carer_stopped' } })).not.toBeNull();
    }
  });
});
