// Child process of the pipeline benchmark: the notification worker alone (relay, fan-out, senders),
// so its memory (RSS) is measured apart from the load generator and the Twilio stand-in.
import { startNotificationPipeline } from '../../src/delivery/pipeline.js';
import { createDb } from '../../src/platform/db/client.js';
import { databaseActivity, disconnectWhenIdle } from '../../src/platform/db/close.js';
import { createLogger } from '../../src/platform/logger.js';
import { createOutboxQueue } from '../../src/platform/queues.js';
import { createRedis } from '../../src/platform/redis.js';
import { createShutdown } from '../../src/platform/shutdown.js';
import { createTwilioClient } from '../../src/platform/twilio.js';

const [databaseUrl, redisUrl, twilioBase, accountSid, authToken, prefix, poolMax, listenUrl] = process.argv.slice(2) as [string, string, string, string, string, string, string, string];
const db = createDb(databaseUrl, { poolMax: Number(poolMax) });
const producer = createRedis(redisUrl);
const workerConnection = createRedis(redisUrl, { forWorker: true });
const outboxQueue = createOutboxQueue(producer, { prefix });
const pipeline = await startNotificationPipeline({
  db, producer, workerConnection, outboxQueue, prefix, log: createLogger('warn'),
  twilio: createTwilioClient(accountSid, authToken, twilioBase),
  publicBaseUrl: 'https://bench.panier.example', relayIntervalMs: 1000, listenUrl: listenUrl || undefined,
  // the stand-in has no rate limit: measure the pipeline, not Twilio's pace
  sender: { segmentsPerSecond: 0 },
});
let peakRss = process.memoryUsage().rss;
let atPeak = process.memoryUsage();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peakRss) [peakRss, atPeak] = [m.rss, m];
}, 100);
process.send?.({ idleRss: process.memoryUsage().rss });
// as `npm run start:worker` stops: the workers first, the database once no transaction runs or waits
const shutdown = createShutdown({ log: createLogger('warn'), timeoutMs: 15_000 });
shutdown.add({ name: 'database', close: (deadline) => disconnectWhenIdle(db, deadline), pending: () => ({ ...databaseActivity(db) }) });
shutdown.add({
  name: 'workers',
  async close() {
    await pipeline.close(5_000);
    await outboxQueue.close();
    producer.disconnect();
    workerConnection.disconnect();
  },
});
process.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(sampler);
    process.send?.({ peakRss, atPeak });
    void shutdown.run('benchmark done');
  }
});
