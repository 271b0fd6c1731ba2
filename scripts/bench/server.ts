// Child process of the webhook benchmark: the real app and a bare Express baseline, each on its
// own port, so that the load generator does not share this process's event loop.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { createDb } from '../../src/platform/db/client.js';
import { databaseActivity, disconnectWhenIdle } from '../../src/platform/db/close.js';
import { createLogger } from '../../src/platform/logger.js';
import { createRedis } from '../../src/platform/redis.js';
import { createShutdown, httpServerStep } from '../../src/platform/shutdown.js';

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

// the load generator stops with requests still in flight: the service's own shutdown order (HTTP,
// then the database once no transaction runs or waits, then Redis) lets this process exit
const shutdown = createShutdown({ log: createLogger('warn'), timeoutMs: 15_000 });
shutdown.add({ name: 'redis', close: async () => redis.disconnect() });
shutdown.add({ name: 'database', close: (deadline) => disconnectWhenIdle(db, deadline), pending: () => ({ ...databaseActivity(db) }) });

const listen = (a: express.Express) => new Promise<Server>((resolve) => {
  const s = a.listen(0, '127.0.0.1', () => resolve(s));
});
const [appServer, baselineServer] = await Promise.all([listen(app), listen(baseline)]);
shutdown.add(httpServerStep(appServer, 2_000));
shutdown.add(httpServerStep(baselineServer, 2_000));
process.send?.({ appPort: (appServer.address() as AddressInfo).port, baselinePort: (baselineServer.address() as AddressInfo).port });
process.on('message', (m) => {
  if (m === 'stop') void shutdown.run('benchmark done');
});
