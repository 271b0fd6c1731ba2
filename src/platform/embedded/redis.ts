import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '../errors.js';
import { processAlive } from './processes.js';

export const MISSING_REDIS_MESSAGE =
  'No redis-server found on PATH: install one (apt-get install redis-server, or brew install redis) or set REDIS_URL to a running Redis.';

export class MissingRedisError extends AppError {
  constructor() {
    super(MISSING_REDIS_MESSAGE, 'missing_redis', 500);
  }
}

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function hasRedisServer(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.write('PING\r\n');
      });
      s.on('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}

function isRedisServer(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}

/**
 * A redis-server left by a service that died without stopping it (killed, machine suspended):
 * it would write the same append-only file as the new one. Stopped, unless its service still runs.
 */
async function stopOrphan(pidFile: string): Promise<void> {
  let left: { redisPid: number; ownerPid: number };
  try {
    left = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as typeof left;
  } catch {
    return;
  }
  if (processAlive(left.ownerPid) || !processAlive(left.redisPid) || !isRedisServer(left.redisPid)) return;
  process.kill(left.redisPid, 'SIGTERM');
  for (let i = 0; i < 50 && processAlive(left.redisPid); i++) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(left.redisPid)) process.kill(left.redisPid, 'SIGKILL');
}

/** Starts redis-server from PATH with its data (AOF on) in `dataDir`, on a free loopback port. */
export async function startEmbeddedRedis(dataDir: string): Promise<EmbeddedRedis> {
  if (!hasRedisServer()) throw new MissingRedisError();
  fs.mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, 'redis.pid.json');
  await stopOrphan(pidFile);
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', path.resolve(dataDir),
      '--appendonly', 'yes',
      '--save', '',
      // BullMQ needs every key kept: never evict
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--loglevel', 'warning',
    ],
    // its own process group: a terminal's Ctrl-C reaches the service only, which stops this server
    // last, after its workers have finished with it (it would otherwise quit first and leave them
    // waiting for it until the shutdown's time limit)
    { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  if (child.pid !== undefined) fs.writeFileSync(pidFile, JSON.stringify({ redisPid: child.pid, ownerPid: process.pid }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, 15_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  child.unref();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(pidFile, { force: true });
    },
  };
}
