// /dev/phone (demo mode only): phones side by side — a resident, the delivery lead, a courier — to
// text and call the service as Twilio would, and see every message each phone gets.
import { fileURLToPath } from 'node:url';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { Db } from '../platform/db/client.js';
import { ValidationError } from '../platform/errors.js';
import { toE164 } from '../platform/phone.js';
import { createPhoneSimulator, type CallInput, type CallScreen } from './phoneSimulator.js';
import { waitForReply } from './replyWatch.js';

const PAGE = fileURLToPath(new URL('../../public/dev-phone.html', import.meta.url));

const Phone = z.string().min(4).max(20).transform((p, ctx) => {
  const e164 = toE164(p);
  if (!e164) {
    ctx.addIssue({ code: 'custom', message: 'not a phone number' });
    return z.NEVER;
  }
  return e164;
});
const SmsBody = z.object({ from: Phone, to: Phone, body: z.string().min(1).max(1000) });
const ReplyQuery = z.object({ messageSid: z.string().regex(/^SM[0-9a-f]{32}$/), waitMs: z.coerce.number().int().min(0).max(10_000).default(0) });

/**
 * How long the page's "send" waits for the worker's reply: the worker answers in well under a
 * second; past this the page says the reply is late (is the worker running?) and its thread shows
 * the reply whenever it comes.
 */
const SMS_REPLY_WAIT_MS = 15_000;
const CallStart = z.object({ from: Phone, to: Phone });
const CallAnswer = z.object({
  callSid: z.string().min(1),
  input: z.union([
    z.object({ digits: z.string().regex(/^[0-9*#]{1,20}$/) }),
    z.object({ speech: z.string().min(1).max(500) }),
    z.object({ timeout: z.literal(true) }),
    z.object({ recording: z.object({ seconds: z.number().int().min(1).max(180) }) }),
    z.object({ dialStatus: z.enum(['completed', 'no-answer', 'busy', 'failed']) }),
  ]),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

/** One second of a quiet 440 Hz tone, 8 kHz mono 16-bit PCM: the simulated caller's message. */
export function demoRecordingWav(): Buffer {
  const rate = 8000;
  const samples = Buffer.alloc(rate * 2);
  for (let i = 0; i < rate; i++) samples.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

export function devPhoneRouter(deps: { db: Db; publicBaseUrl: string; accountSid: string; authToken: string }): Router {
  const router = Router();
  router.use(express.json({ limit: '16kb' }));
  // calls in progress on this page (demo only: a restart simply ends them)
  const calls = new Map<string, CallScreen>();
  const wav = demoRecordingWav();

  // the service itself, on the port this request came in on
  const simulator = (req: Request) =>
    createPhoneSimulator({ appUrl: `http://127.0.0.1:${req.socket.localPort}`, publicBaseUrl: deps.publicBaseUrl, accountSid: deps.accountSid, authToken: deps.authToken });

  router.get('/dev/phone', (_req, res) => res.sendFile(PAGE));
  router.get('/dev/phone/recording.wav', (_req, res) => res.type('audio/wav').send(wav));

  /** The demo's numbers: the group's, its delivery lead, couriers and a few residents. */
  router.get('/dev/phone/api/people', async (_req, res) => {
    const groups = await deps.db.group.findMany({
      include: {
        numbers: { orderBy: { createdAt: 'asc' }, take: 1 },
        staff: { where: { role: 'delivery_lead', active: true, phone: { not: null } }, select: { name: true, phone: true } },
        couriers: { where: { active: true }, select: { name: true, phone: true }, orderBy: { name: 'asc' } },
        customers: { select: { name: true, phone: true }, orderBy: { createdAt: 'asc' }, take: 12 },
      },
      orderBy: { createdAt: 'asc' },
    });
    res.json(groups.filter((g) => g.numbers[0]).map((g) => ({ name: g.name, number: g.numbers[0]!.phone, leads: g.staff, couriers: g.couriers, residents: g.customers })));
  });

  /** Everything to and from one phone, oldest first: replies, notices, calls. */
  router.get('/dev/phone/api/thread', async (req, res) => {
    const phone = parse(Phone, req.query.phone);
    const messages = await deps.db.message.findMany({
      where: { OR: [{ fromPhone: phone }, { toPhone: phone }] },
      orderBy: { createdAt: 'desc' },
      take: 60,
      select: { id: true, direction: true, channel: true, body: true, status: true, createdAt: true },
    });
    res.json(messages.reverse());
  });

  /** Texts the service, then waits for the reply as the worker sent it to the Twilio stand-in. */
  router.post('/dev/phone/api/sms', async (req, res) => {
    const m = parse(SmsBody, req.body);
    const { messageSid } = await simulator(req).sms(m.from, m.to, m.body);
    res.json({ messageSid, ...(await waitForReply(deps.db, messageSid, SMS_REPLY_WAIT_MS)) });
  });

  /** The reply to one text (`npm run phone` asks here), waiting up to `waitMs` for it. */
  router.get('/dev/phone/api/reply', async (req, res) => {
    const q = parse(ReplyQuery, req.query);
    res.json({ messageSid: q.messageSid, ...(await waitForReply(deps.db, q.messageSid, q.waitMs)) });
  });

  router.post('/dev/phone/api/call', async (req, res) => {
    const c = parse(CallStart, req.body);
    const screen = await simulator(req).startCall(c.from, c.to);
    if (!screen.ended) calls.set(screen.callSid, screen);
    else await simulator(req).hangUp(screen);
    res.json(screen);
  });

  router.post('/dev/phone/api/call/answer', async (req, res) => {
    const a = parse(CallAnswer, req.body);
    const current = calls.get(a.callSid);
    if (!current) throw new ValidationError('no such call in progress');
    const screen = await simulator(req).answer(current, a.input as CallInput, `${deps.publicBaseUrl}/dev/phone/recording.wav`);
    if (screen.ended) {
      calls.delete(a.callSid);
      await simulator(req).hangUp(screen);
    } else calls.set(a.callSid, screen);
    res.json(screen);
  });

  router.post('/dev/phone/api/call/hangup', async (req, res) => {
    const callSid = String((req.body as { callSid?: unknown }).callSid ?? '');
    const current = calls.get(callSid);
    calls.delete(callSid);
    // the caller hung up mid-menu: Twilio reports the call's end all the same
    if (current) await simulator(req).hangUp(current);
    res.status(204).end();
  });

  return router;
}
