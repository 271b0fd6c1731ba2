// Child process of the webhook benchmark: the real app, a bare Express baseline and the ceiling
// (signature check + one INSERT through a plain pg Pool), each on its own port, so that the load
// generator does not share this process's event loop.
import crypto from 'node:crypto';
import express from 'express';
import pg from 'pg';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { createDb } from '../../src/platform/db/client.js';
import { databaseActivity, disconnectWhenIdle } from '../../src/platform/db/close.js';
import { createLogger } from '../../src/platform/logger.js';
import { createRedis } from '../../src/platform/redis.js';
import { createShutdown, httpServerStep } from '../../src/platform/shutdown.js';
import { createAcceptedAnnouncer } from '../../src/sms/inboundQueue.js';
import { twilioSignatureGuard } from '../../src/platform/twilio.js';

// ceilingUrl: '' on the embedded PGlite, which takes no third connection (no ceiling then)
const [databaseUrl, redisUrl, authToken, publicBaseUrl, poolMax, ceilingUrl] = process.argv.slice(2) as [string, string, string, string, string, string];
const db = createDb(databaseUrl, { poolMax: Number(poolMax) });
const redis = createRedis(redisUrl);
// as start:web does: each accepted text announced to the workers (none listen here)
const announce = createAcceptedAnnouncer(redis, `bench-${crypto.randomBytes(4).toString('hex')}`, createLogger('silent'));
const app = createApp({
  config: { publicBaseUrl, twilio: { accountSid: 'AC' + '0'.repeat(32), authToken, apiBaseUrl: undefined, demoMode: false } },
  db,
  redis,
  log: createLogger('silent'),
  onSmsAccepted: announce,
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

// The ceiling: the least a webhook that must not lose a message can do. Same signature middleware
// as the app, then one INSERT … ON CONFLICT DO NOTHING into a scratch table (dropped at the end).
const ceilingTable = `bench_ceiling_${crypto.randomBytes(4).toString('hex')}`;
const ceilingPool = ceilingUrl ? new pg.Pool({ connectionString: ceilingUrl, max: Number(poolMax) }) : undefined;
const ceiling = express();
if (ceilingPool) {
  await ceilingPool.query(`CREATE TABLE ${ceilingTable} (sid text PRIMARY KEY, from_phone text NOT NULL, to_phone text NOT NULL, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`);
  ceiling.use(express.urlencoded({ extended: false, limit: '64kb' }), twilioSignatureGuard({ authToken, publicBaseUrl, log: createLogger('silent') }));
  ceiling.post('/twilio/sms', async (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    try {
      await ceilingPool.query(`INSERT INTO ${ceilingTable} (sid, from_phone, to_phone, body) VALUES ($1, $2, $3, $4) ON CONFLICT (sid) DO NOTHING`, [b.MessageSid ?? '', b.From ?? '', b.To ?? '', b.Body ?? '']);
    } catch {
      res.status(503).type('text/plain').send('Service unavailable');
      return;
    }
    res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
  shutdown.add({
    name: 'ceiling pool',
    async close() {
      await ceilingPool.query(`DROP TABLE IF EXISTS ${ceilingTable}`).catch(() => {});
      await ceilingPool.end();
    },
  });
}

const listen = (a: express.Express) => new Promise<Server>((resolve) => {
  const s = a.listen(0, '127.0.0.1', () => resolve(s));
});
const [appServer, baselineServer, ceilingServer] = await Promise.all([listen(app), listen(baseline), listen(ceiling)]);
shutdown.add(httpServerStep(appServer, 2_000));
shutdown.add(httpServerStep(baselineServer, 2_000));
shutdown.add(httpServerStep(ceilingServer, 2_000));
const portOf = (s: Server) => (s.address() as AddressInfo).port;
process.send?.({ appPort: portOf(appServer), baselinePort: portOf(baselineServer), ceilingPort: ceilingPool ? portOf(ceilingServer) : null });
process.on('message', (m) => {
  if (m === 'stop') void shutdown.run('benchmark done');
});
