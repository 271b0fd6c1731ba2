import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { createApp } from '../../src/app.js';
import { DEMO_TWILIO_ACCOUNT_SID, DEMO_TWILIO_AUTH_TOKEN } from '../../src/config.js';
import type { Db } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTwilioClient } from '../../src/platform/twilio.js';
import { startTestPipeline } from './pipeline.js';

/**
 * The service in demo mode on a real port, web and worker: the Twilio stand-in's callbacks, the
 * phone simulator and a browser all go through HTTP, as they would on `npm start`.
 */
export async function startDemoServer(db: Db): Promise<{ base: string; prefix: string; stop: () => Promise<void> }> {
  const log = createLogger('silent');
  const redisUrl = inject('redisUrl');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let handler: http.RequestListener = () => {};
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const twilio = { accountSid: DEMO_TWILIO_ACCOUNT_SID, authToken: DEMO_TWILIO_AUTH_TOKEN, apiBaseUrl: `${base}/dev/twilio`, demoMode: true };
  const prefix = `demo-${crypto.randomBytes(4).toString('hex')}`;
  // the web side wakes the worker of its own process, as on `npm start`
  const wake: { inbound?: (messageId: string) => void } = {};
  handler = createApp({ config: { publicBaseUrl: base, twilio }, db, redis, log, redisPrefix: `${prefix}:`, queuePrefix: prefix, onSmsAccepted: (id) => wake.inbound?.(id) });
  const worker = await startTestPipeline(db, log, {
    prefix, publicBaseUrl: base, twilio: createTwilioClient(twilio.accountSid, twilio.authToken, twilio.apiBaseUrl),
  });
  wake.inbound = (id) => worker.pipeline.inbound.wake(id);
  return {
    base,
    prefix,
    async stop() {
      await worker.stop();
      redis.disconnect();
      await new Promise((r) => server.close(r));
    },
  };
}
