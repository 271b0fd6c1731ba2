// Child process of the webhook benchmark: the real app and a bare Express baseline, each on its
// own port, so that the load generator does not share this process's event loop.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { createDb } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import { createRedis } from '../../src/platform/redis.js';

const [databaseUrl, redisUrl, authToken, publicBaseUrl, poolMax] = process.argv.slice(2) as [string, string, string, string, string];
const db = createDb(databaseUrl, { poolMax: Number(poolMax) });
const redis = createRedis(redisUrl);
const app = createApp({
  config: { publicBaseUrl, twilio: { accountSid: 'AC' + '0'.repeat(32), authToken, apiBaseUrl: undefined, demoMode: false } },
  db,
  redis,
  log: createLogger('silent'),
});

const FIXED_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Bonjour</Message></Response>';
const baseline = express();
baseline.post('/baseline', (_req, res) => {
  res.type('text/xml').send(FIXED_TWIML);
});

const listen = (a: express.Express) => new Promise<number>((resolve) => {
  const s = a.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
});
const [appPort, baselinePort] = await Promise.all([listen(app), listen(baseline)]);
process.send?.({ appPort, baselinePort });
process.on('message', async (m) => {
  if (m === 'stop') {
    await db.$disconnect();
    redis.disconnect();
    process.exit(0);
  }
});
