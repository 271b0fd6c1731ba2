// Calls in progress for the webhook benchmark: each one's state in Redis as the service leaves it
// between two steps, copied from one real call started through the app (so the state is the
// service's own), and the signed webhook of the step to measure.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import twilio from 'twilio';
import type { Db } from '../../src/platform/db/client.js';
import { createCallStore, type CallRecord } from '../../src/voice/callState.js';
import { createTestGroup } from '../../test/helpers/fixtures.js';

export interface SignedStep {
  body: string;
  signature: string;
}

export interface VoiceBench {
  number: string;
  distributionId: string;
  /** key 2 ("où en est ma commande") at the main menu: a plain keypress */
  keypress: SignedStep[];
  /** key 1 at the read-back of a two-baguette order: the order is placed */
  confirmation: SignedStep[];
  /** drops the calls' state from Redis (it would otherwise stay an hour) */
  forget(): Promise<void>;
}

const STEP_URL = '/twilio/voice/step?seq=1';

export async function prepareVoiceCalls(opts: {
  db: Db; redis: Redis; appUrl: string; authToken: string; publicBaseUrl: string; keypressCalls: number; confirmationCalls: number;
}): Promise<VoiceBench> {
  const group = await createTestGroup(opts.db);
  const accountSid = 'AC' + '0'.repeat(32);
  const sign = (path: string, params: Record<string, string>): SignedStep => ({
    body: new URLSearchParams(params).toString(),
    signature: twilio.getExpectedTwilioSignature(opts.authToken, `${opts.publicBaseUrl}${path}`, params),
  });

  // one real call comes in: its state, as the service wrote it, is the model of every other
  const model = `CA${crypto.randomBytes(16).toString('hex')}`;
  const incoming = sign('/twilio/voice', { CallSid: model, AccountSid: accountSid, From: '+33611111111', To: group.number, CallStatus: 'ringing' });
  const res = await fetch(`${opts.appUrl}/twilio/voice`, { method: 'POST', body: incoming.body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': incoming.signature } });
  if (!res.ok) throw new Error(`the model call answered ${res.status}`);
  const store = createCallStore(opts.redis);
  const receipt = await store.step(model, 0, async (held) => ({ twiml: held.receipt ?? '' }));
  const record = await store.settled(model);
  if (!record || !receipt) throw new Error('the model call left no state in Redis (another REDIS_URL or prefix?)');
  // a call's state written as the service writes it after its first step (answered with the model's TwiML)
  const seed = (sid: string, state: CallRecord) => store.step(sid, 0, async () => ({ twiml: receipt, save: state }));

  const saves: Promise<string>[] = [];
  const flush = async () => {
    await Promise.all(saves.splice(0));
  };
  // the keypress calls wait at the main menu, as the model does after its start
  const keypress: SignedStep[] = [];
  for (let i = 0; i < opts.keypressCalls; i += 1) {
    const sid = `CA${crypto.randomBytes(16).toString('hex')}`;
    keypress.push(sign(STEP_URL, { CallSid: sid, AccountSid: accountSid, From: '+33611111111', To: group.number, Digits: '2', CallStatus: 'in-progress' }));
    saves.push(seed(sid, record));
    if (saves.length >= 500) await flush();
  }

  // callers unknown until they order (each becomes a customer), each on a row of their own
  const confirmation: SignedStep[] = [];
  const rows: { id: string; groupId: string; callSid: string; fromPhone: string; toPhone: string; expiresAt: Date }[] = [];
  const cart = [{ productId: group.products.baguette, quantity: 2, requestedGrams: null }];
  for (let i = 0; i < opts.confirmationCalls; i += 1) {
    const sid = `CA${crypto.randomBytes(16).toString('hex')}`;
    const from = `+336${String(30_000_000 + i).slice(-8)}`;
    const row = { id: crypto.randomUUID(), groupId: group.groupId, callSid: sid, fromPhone: from, toPhone: group.number, expiresAt: new Date(Date.now() + 3600_000) };
    rows.push(row);
    const waiting: CallRecord = { ...record, callSessionId: row.id, fromPhone: from, customerId: null, menu: { ...record.menu, node: 'review_confirm', cart }, step: 1, path: ['main', 'order_menu', 'code_entry', 'review_confirm'] };
    saves.push(seed(sid, waiting));
    if (saves.length >= 500) await flush();
    confirmation.push(sign(STEP_URL, { CallSid: sid, AccountSid: accountSid, From: from, To: group.number, Digits: '1', CallStatus: 'in-progress' }));
  }
  await flush();
  for (let i = 0; i < rows.length; i += 5000) await opts.db.callSession.createMany({ data: rows.slice(i, i + 5000) });
  const sids = [model, ...[...keypress, ...confirmation].map((step) => new URLSearchParams(step.body).get('CallSid')!)];
  const forget = async () => {
    for (let i = 0; i < sids.length; i += 1000) await Promise.all(sids.slice(i, i + 1000).map((sid) => store.forget(sid)));
  };
  return { number: group.number, distributionId: group.distributionId, keypress, confirmation, forget };
}
