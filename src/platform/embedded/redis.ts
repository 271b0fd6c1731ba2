import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AppError } from '../errors.js';
import { processAlive, startedAt } from './processes.js';

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

interface PidFile {
  redisPid: number;
  redisStart: string | null;
  port: number;
  ownerPid: number;
  ownerStart: string | null;
}

/** The very process the file names (same pid, same start time), still running. */
function stillRunning(pid: number, start: string | null): boolean {
  return processAlive(pid) && start !== null && startedAt(pid) === start;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
}

/**
 * A redis-server left by a service that died without stopping it (killed, machine suspended):
 * it would write the same append-only file as the new one. Stopped only when it is surely that
 * server (its pid, start time and port) and its service is surely gone; where that cannot be told
 * (no /proc), it is left alone.
 */
async function stopOrphan(pidFile: string): Promise<void> {
  let left: PidFile;
  try {
    left = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as PidFile;
  } catch {
    return;
  }
  if (stillRunning(left.ownerPid, left.ownerStart) || !stillRunning(left.redisPid, left.redisStart)) return;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${left.redisPid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes('redis-server') || !cmdline.includes(`:${left.port}`)) return;
  kill(left.redisPid, 'SIGTERM');
  for (let i = 0; i < 50 && processAlive(left.redisPid); i++) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(left.redisPid)) kill(left.redisPid, 'SIGKILL');
}

/**
 * Starts redis-server from PATH with its data (AOF on) in `dataDir`, on a free loopback port.
 * `ownProcessGroup` (the service, npm start): out of the terminal's process group, so that a Ctrl-C
 * reaches the service only, which stops this server last, after its workers have finished with it
 * (it would otherwise quit first and leave them waiting for it until the shutdown's time limit).
 * It is then killed when this process exits without stopping it, and stopped at the next start
 * when this process was killed outright.
 */
export async function startEmbeddedRedis(dataDir: string, opts: { ownProcessGroup?: boolean } = {}): Promise<EmbeddedRedis> {
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
    { stdio: ['ignore', 'ignore', 'inherit'], detached: opts.ownProcessGroup ?? false },
  );
  const pid = child.pid;
  const ownsPidFile = () => {
    try {
      return (JSON.parse(fs.readFileSync(pidFile, 'utf8')) as PidFile).redisPid === pid;
    } catch {
      return false;
    }
  };
  const killOnExit = () => {
    if (pid !== undefined && child.exitCode === null) kill(pid, 'SIGKILL');
  };
  if (pid !== undefined) {
    const record: PidFile = { redisPid: pid, redisStart: startedAt(pid), port, ownerPid: process.pid, ownerStart: startedAt(process.pid) };
    fs.writeFileSync(pidFile, JSON.stringify(record));
    if (opts.ownProcessGroup) process.once('exit', killOnExit);
  }
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
      process.removeListener('exit', killOnExit);
      // another service on the same directory may have written its own since
      if (ownsPidFile()) fs.rmSync(pidFile, { force: true });
    },
  };
}
