// SIGTERM under load: the real process (`src/main.ts --role web`) on a pool of 2 connections with 50
// voice webhooks in flight, each an interactive transaction. A session of the test holds the row
// locks their transactions need, so 2 of them hold the pool's connections and 48 wait for one when
// the signal arrives. Prisma 6.19's $disconnect never returns in that state (docs/prisma-disconnect-hang.md).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';
import twilio from 'twilio';
import { describe, expect, inject, it } from 'vitest';
import { createTwilioStandIn } from '../src/demo/twilioStandIn.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { QUEUE_NAMES } from '../src/platform/queues.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup } from './helpers/fixtures.js';

const CALLS = 50;
const POOL = 2;
// the service's default (15 s): room for 48 transactions one after the other on a loaded machine
const SHUTDOWN_TIMEOUT_MS = 15_000;
// the case that runs into the limit does not wait that long
const SHORT_SHUTDOWN_TIMEOUT_MS = 6_000;
const AUTH_TOKEN = 'shutdown-test-auth-token';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Service {
  child: ChildProcess;
  base: string;
  logs: () => Record<string, unknown>[];
  exited: Promise<{ code: number | null; at: number }>;
  applicationName: string;
}

/** Starts `src/main.ts --role <role>` on the test database with a pool of POOL connections. */
async function startService(databaseUrl: string, opts: { role?: 'web' | 'worker'; env?: Record<string, string>; shutdownTimeoutMs?: number } = {}): Promise<Service> {
  const role = opts.role ?? 'web';
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-shutdown-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--role', role], {
    env: {
      ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl, REDIS_URL: inject('redisUrl'), PORT: String(port), PUBLIC_BASE_URL: base,
      TWILIO_ACCOUNT_SID: 'AC' + '5'.repeat(32), TWILIO_AUTH_TOKEN: AUTH_TOKEN, DATA_DIR: dataDir, LOG_LEVEL: 'info',
      DATABASE_POOL_MAX: String(POOL), SHUTDOWN_TIMEOUT_MS: String(opts.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS), ADMIN_EMAIL: '', ADMIN_PASSWORD: '',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  exited.then(() => fs.rmSync(dataDir, { recursive: true, force: true }), () => {});
  const ready = role === 'web' ? 'listening on' : '"msg":"worker started"';
  await until('the service to start', async () => out.includes(ready) || (child.exitCode !== null && Promise.reject(new Error(out))), 60_000);
  const logs = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, base, logs, exited, applicationName: `panier-${role}` };
}

/**
 * CALLS calls coming in whose rows the test's session is inserting in a long transaction: each
 * call's start (one interactive transaction: the caller, the call's row, what the menu needs) waits
 * on that row's lock.
 */
async function callsOnHold(db: Db, url: string) {
  const group = await createTestGroup(db);
  const callSids = Array.from({ length: CALLS }, () => `CA${crypto.randomBytes(16).toString('hex')}`);
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query(
    `INSERT INTO "CallSession" (id, "groupId", "callSid", "fromPhone", "toPhone", "expiresAt")
     SELECT gen_random_uuid(), $1, sid, '+33612345678', $2, now() + interval '1 hour' FROM unnest($3::text[]) AS sid`,
    [group.groupId, group.number, callSids],
  );
  // the calls' state the service leaves in Redis (its default prefix) goes with the test
  const forget = async () => {
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    await redis.del(...callSids.map((sid) => `panier:call:${sid}`));
    redis.disconnect();
  };
  return { callSids, locker, number: group.number, forget };
}

interface Reply {
  status: number;
  body: string;
}

/**
 * One webhook over a raw socket, sent with `Expect: 100-continue`: `accepted` resolves when the
 * server has read the request's headers (its "100 Continue"), so the request is in flight there
 * and a shutdown that stops accepting must still answer it. `reply` resolves with the response,
 * or status 0 when the connection was cut.
 */
function webhook(base: string, path: string, params: Record<string, string>): { accepted: Promise<void>; reply: Promise<Reply> } {
  const { hostname, port } = new URL(base);
  const body = new URLSearchParams(params).toString();
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${base}${path}`, params);
  const socket = net.connect(Number(port), hostname);
  let received = '';
  let accepted!: () => void;
  const acceptedP = new Promise<void>((resolve) => (accepted = resolve));
  socket.on('connect', () => {
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Twilio-Signature: ${signature}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
  });
  socket.on('data', (d: Buffer) => {
    received += d.toString();
    if (received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
      received = received.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
      socket.write(body);
      accepted();
    }
  });
  const reply = new Promise<Reply>((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve({ status: status ? Number(status) : 0, body: received.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    });
  });
  return { accepted: acceptedP, reply };
}

/** The calls come in: CALLS signed webhooks at once, all read by the server. */
async function callsComeIn(service: Service, callSids: string[], to: string): Promise<Promise<Reply>[]> {
  const calls = callSids.map((CallSid) =>
    webhook(service.base, '/twilio/voice', { CallSid, AccountSid: 'AC' + '5'.repeat(32), From: '+33612345678', To: to, CallStatus: 'ringing' }));
  await Promise.all(calls.map((c) => c.accepted));
  return calls.map((c) => c.reply);
}

async function sessionsOf(admin: pg.Client, applicationName: string) {
  const r = await admin.query<{ state: string; wait_event_type: string | null }>(
    // this test's database only: other processes of the same name (a bench, another run) are not ours
    'SELECT state, wait_event_type FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [applicationName]);
  return r.rows;
}

describe('shutdown under load (SIGTERM, real PostgreSQL)', () => {
  it.runIf(inject('pgAdminUrl'))('lets the 50 transactions queued on a pool of 2 finish, then disconnects and exits 0 within the limit', async () => {
    const { db, url } = await useTestDatabase();
    const hold = await callsOnHold(db, url);
    const service = await startService(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const answers = await callsComeIn(service, hold.callSids, hold.number);
      // the pool is full: both connections wait for the test's locks, the 48 others for a connection
      await until('both connections blocked', async () => (await sessionsOf(admin, service.applicationName)).filter((s) => s.wait_event_type === 'Lock').length === POOL, 20_000);
      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1_000));
      // still draining: neither exited nor disconnected under the queued transactions
      expect(service.child.exitCode).toBeNull();
      expect(service.logs().some((l) => l.msg === 'shutting down')).toBe(true);
      // the long transaction ends: the queued ones get their turn
      await hold.locker.query('COMMIT');

      const { code, at } = await service.exited;
      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      // every caller in flight got their answer: nothing was cut
      const replies = await Promise.all(answers);
      const notOk = replies.filter((r) => r.status !== 200);
      expect(notOk, JSON.stringify(notOk.slice(0, 2)) + '\n' + service.logs().filter((l) => (l.level as number) >= 40).slice(0, 5).map((l) => JSON.stringify(l)).join('\n')).toEqual([]);
      // each caller greeted, on the row the test's session had written for their call
      expect(replies.every((r) => r.body.includes('Bienvenue au Panier de Test.'))).toBe(true);
      expect(await db.callSession.count({ where: { callSid: { in: hold.callSids } } })).toBe(CALLS);
      // HTTP closed first, the database after it, Redis last
      const closed = service.logs().filter((l) => l.msg === 'shutdown: closed').map((l) => l.step);
      expect(closed).toEqual(['http', 'web redis', 'catalogue change listener', 'database', 'redis server']);
      // no session of the process left behind, "idle in transaction" or otherwise
      await until('the sessions to end', async () => (await sessionsOf(admin, service.applicationName)).length === 0, 5_000);
    } finally {
      service.child.kill('SIGKILL');
      await hold.locker.end().catch(() => {});
      await hold.forget();
      await admin.end();
    }
  }, 120_000);

  it.runIf(inject('pgAdminUrl'))('exits 1 at the time limit with the reason logged when the transactions cannot finish, leaving no session behind', async () => {
    const { db, url } = await useTestDatabase();
    const hold = await callsOnHold(db, url);
    const service = await startService(url, { shutdownTimeoutMs: SHORT_SHUTDOWN_TIMEOUT_MS });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const answers = await callsComeIn(service, hold.callSids, hold.number);
      await until('both connections blocked', async () => (await sessionsOf(admin, service.applicationName)).filter((s) => s.wait_event_type === 'Lock').length === POOL, 20_000);
      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      // the locks are never released while the process lives
      const { code, at } = await service.exited;
      expect(code).toBe(1);
      expect(at - signalledAt).toBeGreaterThanOrEqual(SHORT_SHUTDOWN_TIMEOUT_MS - 100);
      expect(at - signalledAt).toBeLessThan(SHORT_SHUTDOWN_TIMEOUT_MS + 3_000);
      const reason = service.logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('shutdown: time limit'));
      // (some of the 48 may have given up already: a connection is awaited 10 s at most)
      expect(reason).toMatchObject({ level: 50, step: 'database', pending: { busy: POOL, waiting: expect.any(Number) } });
      expect((reason!.pending as { waiting: number }).waiting).toBeGreaterThan(0);
      // the callers' connections were cut when HTTP's share of the limit ran out
      expect((await Promise.all(answers)).every((r) => r.status === 0)).toBe(true);
      await hold.locker.query('ROLLBACK');
      // the process is gone: its sessions end and PostgreSQL rolls back what they held
      await until('the sessions to end', async () => (await sessionsOf(admin, service.applicationName)).length === 0, 5_000);
    } finally {
      service.child.kill('SIGKILL');
      await hold.locker.end().catch(() => {});
      await hold.forget();
      await admin.end();
    }
  }, 120_000);
});

describe('worker shutdown under load (SIGTERM, real PostgreSQL and Redis)', () => {
  const EVENTS = 20;

  it.runIf(inject('pgAdminUrl'))('stops taking jobs, lets the active ones finish, then disconnects and exits 0; the others wait in the queue', async () => {
    const { db, url } = await useTestDatabase();
    const group = await createTestGroup(db);
    // the worker uses the service's queue prefix: a Redis database of its own keeps it from other runs
    const redisUrl = new URL(inject('redisUrl'));
    redisUrl.pathname = '/13';
    const redis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: 1 });
    const clearQueues = async () => {
      const keys = await redis.keys('panier:*');
      if (keys.length) await redis.del(...keys);
    };
    await clearQueues();
    // the notices go to a local Twilio stand-in
    const standIn = createTwilioStandIn({ accountSid: 'AC' + '5'.repeat(32), authToken: AUTH_TOKEN, log: createLogger('silent'), callbacks: false });
    const standInServer = await new Promise<Server>((resolve) => {
      const s = express().use(standIn.router).listen(0, '127.0.0.1', () => resolve(s));
    });
    const service = await startService(url, {
      role: 'worker',
      env: { REDIS_URL: redisUrl.toString(), TWILIO_API_BASE_URL: `http://127.0.0.1:${(standInServer.address() as net.AddressInfo).port}`, SMS_SEGMENTS_PER_SECOND: '0', OUTBOX_RELAY_INTERVAL_MS: '200' },
    });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const queue = new Queue(QUEUE_NAMES.outbox, { connection: redis as never, prefix: 'panier' });
    try {
      // no notice can be written while the test holds the table: the fan-out jobs block on it
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE "Message" IN EXCLUSIVE MODE');
      const orderIds: string[] = [];
      for (let i = 0; i < EVENTS; i++) {
        const customer = await db.customer.create({ data: { groupId: group.groupId, phone: `+3361${String(2_000_000 + i).padStart(7, '0')}`, name: 'Voisin', lineType: 'mobile' } });
        const order = await db.order.create({ data: { groupId: group.groupId, customerId: customer.id, distributionId: group.distributionId, channel: 'operator', status: 'confirmed', basketNumber: i + 1, estimatedCents: 240, confirmedAt: new Date() } });
        orderIds.push(order.id);
      }
      await db.outboxEvent.createMany({ data: orderIds.map((orderId) => ({ groupId: group.groupId, type: 'order.confirmed', aggregateType: 'Order', aggregateId: orderId, payload: { orderId, channel: 'operator' } })) });
      const watcher = new pg.Client({ connectionString: url });
      await watcher.connect();
      await until('both connections blocked', async () => (await sessionsOf(watcher, service.applicationName)).filter((s) => s.wait_event_type === 'Lock').length === POOL, 20_000);
      await watcher.end();

      const signalledAt = Date.now();
      service.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1_000));
      expect(service.child.exitCode).toBeNull();
      await admin.query('COMMIT');

      const { code, at } = await service.exited;
      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      const closed = service.logs().filter((l) => l.msg === 'shutdown: closed').map((l) => l.step);
      expect(closed).toEqual(['workers', 'catalogue change listener', 'database', 'redis server']);
      // nothing lost: each event was handled (its notice written) or waits in the queue for the next worker
      const counts = await queue.getJobCounts('active', 'completed', 'failed', 'waiting', 'prioritized', 'delayed');
      expect(counts.active).toBe(0);
      expect(counts.failed).toBe(0);
      const handled = await db.outboxEvent.count({ where: { groupId: group.groupId, processedAt: { not: null } } });
      expect(handled).toBeGreaterThan(0);
      expect(handled).toBe(counts.completed);
      expect((counts.completed ?? 0) + (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0)).toBe(EVENTS);
      expect(await db.message.count({ where: { groupId: group.groupId, kind: 'order.confirmed' } })).toBe(handled);
      await until('the sessions to end', async () => (await sessionsOf(admin, service.applicationName)).length === 0, 5_000);
    } finally {
      service.child.kill('SIGKILL');
      await admin.query('ROLLBACK').catch(() => {});
      await admin.end();
      await queue.close();
      await clearQueues();
      redis.disconnect();
      standInServer.close();
    }
  }, 120_000);
});
