// Process entry: config, embedded services when asked, HTTP, workers, shutdown.
// `--role web|worker|all` (npm run start:web / start:worker / start).
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import { createApp } from './app.js';
import { watchCatalogChanges } from './catalog/catalogChanges.js';
import { createGroupDirectory } from './catalog/groups.js';
import { createAcceptedAnnouncer } from './sms/inboundQueue.js';
import { createCatalogCache } from './catalog/openCatalog.js';
import { ConfigError, loadConfig, requireExternalServices, type Config } from './config.js';
import { DEMO_GROUP, DEMO_STAFF } from './demo/demoData.js';
import { seedDemo } from './demo/seed.js';
import { startNotificationPipeline } from './delivery/pipeline.js';
import { createSmsJournal, startJournalReplay } from './sms/journal.js';
import { createSmsAcceptor } from './sms/accept.js';
import type { Db } from './platform/db/client.js';
import { MissingRedisError } from './platform/embedded/redis.js';
import { backupWarning } from './platform/backup.js';
import { databaseStep, openDatabase, openRedisServer } from './platform/infrastructure.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createOutboxQueue } from './platform/queues.js';
import { createRedis } from './platform/redis.js';
import { createShutdown, httpServerStep } from './platform/shutdown.js';
import { createTwilioClient } from './platform/twilio.js';

type Role = 'web' | 'worker' | 'all';
// of the shutdown time limit, what HTTP and the workers leave for the parts closed after them
const RESERVE_AFTER_HTTP_MS = 2_000;
const RESERVE_AFTER_WORKERS_MS = 2_000;
const QUEUE_PREFIX = 'panier';

async function ensureFirstCoordinator(db: Db, config: Config, log: Logger): Promise<void> {
  const { email, password } = config.admin;
  if (!email || !password) return;
  if ((await db.staffUser.count({ where: { role: 'coordinator' } })) > 0) return;
  const group = await db.group.findFirst({ orderBy: { createdAt: 'asc' } });
  if (!group) {
    log.warn('ADMIN_EMAIL is set but there is no group yet: create one with `npm run cli -- group create`, then restart');
    return;
  }
  await db.staffUser.create({ data: { groupId: group.id, role: 'coordinator', name: 'Coordination', email, passwordHash: await hash(password) } });
  log.info('first coordinator account created from ADMIN_EMAIL');
}

function printWelcome(config: Config, demoLoaded: boolean): void {
  const lines = [
    '',
    `Panier de proximité: listening on ${config.publicBaseUrl}`,
    `  health:   ${config.publicBaseUrl}/healthz   readiness: ${config.publicBaseUrl}/readyz`,
    `  webhooks: ${config.publicBaseUrl}/twilio/sms, /twilio/voice, /twilio/status, /twilio/recording`,
    `  console:  ${config.publicBaseUrl}/console`,
  ];
  if (config.twilio.demoMode) {
    lines.push('  DEMO MODE: no Twilio credentials; Twilio REST calls go to ' + config.twilio.apiBaseUrl);
    lines.push(`  phones:   ${config.publicBaseUrl}/dev/phone   (or: PORT=${config.port} npm run phone -- sms 0612345678 "2 baguettes")`);
  }
  if (demoLoaded) {
    lines.push(`  demo group "${DEMO_GROUP.name}" loaded; its number is ${DEMO_GROUP.number}`);
    lines.push('  demo accounts:');
    for (const s of DEMO_STAFF) lines.push(`    ${s.role.padEnd(15)} ${s.email} / ${s.password}`);
    lines.push('  try: npm run cli -- distribution list   |   npm run cli -- orders export --distribution next');
  }
  console.log(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  // --no-embedded (npm run start:prod): a real PostgreSQL and Redis or nothing, never the demo's
  const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' }, 'no-embedded': { type: 'boolean', default: false } } });
  const role = values.role as Role;
  if (!['web', 'worker', 'all'].includes(role)) throw new ConfigError(`--role must be web, worker or all (got ${role})`);
  const config = loadConfig();
  if (values['no-embedded']) requireExternalServices(config);
  if (role !== 'all' && (!config.databaseUrl || !config.redisUrl)) {
    throw new ConfigError('start:web and start:worker share one PostgreSQL and one Redis: set DATABASE_URL and REDIS_URL (npm start runs both on the embedded default).');
  }
  const log = createLogger(config.logLevel).child({ role });
  if (config.twilio.demoMode) log.warn('demo mode: no Twilio credentials, the service talks to the local Twilio stand-in');

  // parts close in the reverse order of their opening: HTTP, then the workers, then the
  // database (never while transactions are queued: src/platform/db/close.ts), then Redis
  const shutdown = createShutdown({ log, timeoutMs: config.shutdownTimeoutMs });
  shutdown.listen();

  // out of the terminal's process group: Ctrl-C stops it through the shutdown, after the workers
  const redisServer = await openRedisServer(config, log, { ownProcessGroup: true });
  shutdown.add({ name: 'redis server', close: () => redisServer.close() });
  const database = await openDatabase(config, log, { poolMax: config.databasePoolMax, applicationName: `panier-${role}`, preparedStatements: config.databasePreparedStatements });
  shutdown.add(databaseStep(database));

  if (database.embedded && (await database.db.group.count()) === 0) {
    await seedDemo(database.db);
    log.info('first start on the embedded database: demo data loaded');
  }
  if (database.embedded) {
    const stale = backupWarning(config.dataDir);
    if (stale) log.warn(stale);
  }
  const demoLoaded = (await database.db.group.count({ where: { slug: DEMO_GROUP.slug } })) > 0;
  await ensureFirstCoordinator(database.db, config, log);

  // one catalogue cache for the process (web and worker alike), dropped per group by `catalog.changed`
  const catalogs = createCatalogCache();
  const catalogListener = createRedis(redisServer.url, { forWorker: true });
  watchCatalogChanges({ subscriber: catalogListener, prefix: QUEUE_PREFIX, catalogs, log });
  shutdown.add({ name: 'catalogue change listener', close: async () => catalogListener.disconnect() });

  // each accepted text is handed to a worker at once: the worker of this process (npm start), else
  // announced on Redis to the workers (start:web)
  let wakeInbound: ((messageId: string) => void) | undefined;
  if (role === 'worker' || role === 'all') {
    const producer = createRedis(redisServer.url);
    const workerConnection = createRedis(redisServer.url, { forWorker: true });
    const queue = createOutboxQueue(producer, { prefix: QUEUE_PREFIX });
    const pipeline = await startNotificationPipeline({
      db: database.db, producer, workerConnection, outboxQueue: queue, prefix: QUEUE_PREFIX, log,
      twilio: createTwilioClient(config.twilio.accountSid, config.twilio.authToken, config.twilio.apiBaseUrl),
      publicBaseUrl: config.publicBaseUrl, relayIntervalMs: config.outboxRelayIntervalMs,
      listenUrl: database.embedded ? undefined : database.url,
      sender: { segmentsPerSecond: config.smsSegmentsPerSecond }, sweep: { acceptWithinMs: config.courierAcceptWithinMs, everyMs: config.sweepIntervalMs },
      catalogs,
    });
    // inbound SMS the web side journaled while the database was down, replayed once it answers
    const journalReplay = startJournalReplay({
      redis: producer, journal: createSmsJournal(producer), log,
      accept: createSmsAcceptor({ db: database.db, log, groups: createGroupDirectory(database.db), onAccepted: (id) => pipeline.inbound.wake(id) }),
      databaseUp: () => database.db.$queryRaw`SELECT 1`.then(() => true, () => false),
    });
    wakeInbound = (id) => pipeline.inbound.wake(id);
    shutdown.add({
      name: 'workers',
      async close(deadline) {
        await journalReplay.stop();
        // stop taking jobs; active ones finish or go back to the queue, leaving time for the database
        await pipeline.close(Math.max(1_000, deadline - Date.now() - RESERVE_AFTER_WORKERS_MS));
        await queue.close();
        producer.disconnect();
        workerConnection.disconnect();
      },
    });
  }

  if (role === 'web' || role === 'all') {
    const redis = createRedis(redisServer.url);
    shutdown.add({ name: 'web redis', close: async () => redis.disconnect() });
    wakeInbound ??= createAcceptedAnnouncer(redis, QUEUE_PREFIX, log);
    // sessions in a Redis of their own when asked (SESSION_REDIS_URL): they never compete with the queue
    const sessionRedis = config.sessionRedisUrl ? createRedis(config.sessionRedisUrl) : undefined;
    if (sessionRedis) shutdown.add({ name: 'session redis', close: async () => sessionRedis.disconnect() });
    const app = createApp({ config, db: database.db, redis, sessionRedis, log, queuePrefix: QUEUE_PREFIX, onSmsAccepted: wakeInbound, catalogs });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(config.port, () => resolve(s));
    });
    shutdown.add(httpServerStep(server, role === 'all' ? RESERVE_AFTER_HTTP_MS + RESERVE_AFTER_WORKERS_MS : RESERVE_AFTER_HTTP_MS));
    printWelcome(config, demoLoaded);
  } else {
    log.info('worker started');
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof MissingRedisError) {
    console.error(err.message);
  } else {
    console.error(err);
  }
  process.exit(1);
});
