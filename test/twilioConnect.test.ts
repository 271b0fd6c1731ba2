// `twilio connect|check`: the group's numbers configured through the official SDK
// (IncomingPhoneNumbers), against the Twilio stand-in served over HTTP.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioStandIn, type TwilioStandIn } from '../src/demo/twilioStandIn.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { createTwilioClient } from '../src/platform/twilio.js';
import { checkNumber, connectNumber, numberProblems, wantedSettings } from '../src/platform/twilioNumbers.js';
import request from 'supertest';
import { buildTestApp, sign } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueGroupNumber, type TestGroup } from './helpers/fixtures.js';

const SID = `AC${'7'.repeat(32)}`;
const TOKEN = 'connect-test-token';
const BASE = 'https://panier.mairie.example';
let db: Db;
let url: string;
let g: TestGroup;
let standIn: TwilioStandIn;
let server: http.Server;
let apiBase: string;

beforeAll(async () => {
  ({ db, url } = await useTestDatabase());
  g = await createTestGroup(db);
  standIn = createTwilioStandIn({ accountSid: SID, authToken: TOKEN, log: createLogger('silent'), numbers: [g.number] });
  const app = express();
  app.use(standIn.router);
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const stored = () => [...standIn.numbers.values()].find((n) => n.phoneNumber === g.number)!;

describe('twilio connect and check', () => {
  it('sets every URL from PUBLIC_BASE_URL through the SDK, then finds nothing wrong; a second run changes nothing', async () => {
    const client = createTwilioClient(SID, TOKEN, apiBase);
    const wanted = wantedSettings(BASE);
    Object.assign(stored(), { voiceUrl: 'https://old-host.example/voice', voiceApplicationSid: 'AP123' });
    expect(await checkNumber(client, g.number, wanted)).toEqual(expect.arrayContaining([
      'voiceApplicationSid is AP123: Twilio ignores the number\'s URLs while an application is set',
      `voiceUrl is https://old-host.example/voice (points elsewhere); should be ${BASE}/twilio/voice`,
      `smsUrl is empty (should be ${BASE}/twilio/sms)`,
    ]));
    const { changes } = await connectNumber(client, g.number, wanted);
    expect(changes.map((c) => c.field).sort()).toEqual(['smsFallbackUrl', 'smsUrl', 'statusCallback', 'voiceApplicationSid', 'voiceFallbackMethod', 'voiceFallbackUrl', 'voiceUrl']);
    expect(stored()).toMatchObject({
      smsUrl: `${BASE}/twilio/sms`, smsMethod: 'POST', voiceUrl: `${BASE}/twilio/voice`, voiceApplicationSid: '', statusCallback: `${BASE}/twilio/voice/status`,
      voiceFallbackUrl: `${BASE}/voice-fallback.xml`, smsFallbackUrl: `${BASE}/twilio/sms/fallback`, smsFallbackMethod: 'POST',
    });
    expect(await checkNumber(client, g.number, wanted)).toEqual([]);
    expect((await connectNumber(client, g.number, wanted)).changes).toEqual([]);
  });

  it('says when a URL is http, and when PUBLIC_BASE_URL itself is', () => {
    const wanted = wantedSettings(BASE);
    expect(numberProblems({ ...wanted, smsUrl: 'http://panier.mairie.example/twilio/sms' }, wanted)).toEqual([
      "smsUrl uses http (http://panier.mairie.example/twilio/sms): Twilio would send residents' messages unencrypted; use https",
      `smsUrl is http://panier.mairie.example/twilio/sms; should be ${BASE}/twilio/sms`,
    ]);
    const plain = wantedSettings('http://panier.mairie.example');
    expect(numberProblems(plain, plain)[0]).toMatch(/^smsUrl uses http/);
    expect(numberProblems(plain, plain)).toContain('PUBLIC_BASE_URL is http (http://panier.mairie.example/twilio/sms): set it to the https address Twilio reaches');
  });

  it('names a number the account does not own', async () => {
    const client = createTwilioClient(SID, TOKEN, apiBase);
    await expect(checkNumber(client, uniqueGroupNumber(), wantedSettings(BASE))).rejects.toThrow(/in this account/);
  });

  it('runs from the CLI: check says what is wrong and exits 1, connect prints what it changed', async () => {
    Object.assign(stored(), { smsUrl: 'http://elsewhere.example/sms' });
    const env = { ...process.env, DATABASE_URL: url, PUBLIC_BASE_URL: BASE, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: apiBase };
    const cli = async (...args: string[]) => {
      try {
        return { code: 0, ...(await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], { env, timeout: 90_000 })) };
      } catch (err) {
        return err as { code: number; stdout: string; stderr: string };
      }
    };
    const check = await cli('twilio', 'check', '--group', g.slug);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`${g.number}: smsUrl uses http (http://elsewhere.example/sms)`);
    expect(check.stdout).toContain('1 number(s) to fix: npm run cli -- twilio connect');
    const connect = await cli('twilio', 'connect', '--group', g.slug);
    expect(connect.code).toBe(0);
    expect(connect.stdout).toContain(`${g.number}: smsUrl: http://elsewhere.example/sms → ${BASE}/twilio/sms`);
    expect(stored().smsUrl).toBe(`${BASE}/twilio/sms`);
  }, 180_000);

  it('lets the number\'s StatusCallback (call statuses) reach /twilio/status without an error', async () => {
    const { app } = buildTestApp(db);
    const params = { CallSid: `CA${'1'.repeat(32)}`, AccountSid: SID, CallStatus: 'completed', From: '+33612345678', To: g.number, Direction: 'inbound', ApiVersion: '2010-04-01' };
    const res = await request(app).post('/twilio/status').type('form').set('x-twilio-signature', sign('/twilio/status', params)).send(params);
    expect(res.status).toBe(204);
    // a message status callback without its MessageSid is still refused
    const bad = { MessageStatus: 'delivered' };
    expect((await request(app).post('/twilio/status').type('form').set('x-twilio-signature', sign('/twilio/status', bad)).send(bad)).status).toBe(400);
  });
});
