// The embedded redis-server of `npm start`: out of the terminal's process group (a Ctrl-C reaches
// the service, which stops it after its workers), and one left by a killed service stopped at the
// next start (both would write the same append-only file).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '../src/platform/embedded/redis.js';
import { processAlive, startedAt } from '../src/platform/embedded/processes.js';

// the orphan check reads /proc (Linux); elsewhere an orphan is left alone
const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0 && fs.existsSync('/proc/self/stat');
const dirs: string[] = [];
const started: EmbeddedRedis[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-embedded-redis-'));
  dirs.push(dir);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(async () => {
  for (const r of started.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!hasRedisServer)('embedded redis-server', () => {
  it('runs in a process group of its own and is stopped by the service, its pid file removed', async () => {
    const dir = tempDir();
    const redis = await startEmbeddedRedis(dir, { ownProcessGroup: true });
    const { redisPid, ownerPid } = JSON.parse(fs.readFileSync(path.join(dir, 'redis.pid.json'), 'utf8')) as { redisPid: number; ownerPid: number };
    expect(ownerPid).toBe(process.pid);
    // its own group: a signal to the terminal's group (this test's) does not reach it
    const pgid = Number(fs.readFileSync(`/proc/${redisPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
    expect(pgid).toBe(redisPid);
    await redis.stop();
    expect(processAlive(redisPid)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'redis.pid.json'))).toBe(false);
  });

  it('stops a redis-server a killed service left on the same data directory, not one whose service still runs', async () => {
    const dir = tempDir();
    const port = await freePort();
    const orphan = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore', detached: true });
    orphan.unref();
    await until('the orphan to run', () => orphan.pid !== undefined && processAlive(orphan.pid) && startedAt(orphan.pid) !== null);
    const pidFile = path.join(dir, 'redis.pid.json');
    const left = { redisPid: orphan.pid!, redisStart: startedAt(orphan.pid!), port };
    try {
      // its service still runs (this process): left alone
      fs.writeFileSync(pidFile, JSON.stringify({ ...left, ownerPid: process.pid, ownerStart: startedAt(process.pid) }));
      started.push(await startEmbeddedRedis(dir));
      expect(processAlive(orphan.pid!)).toBe(true);
      await started.pop()!.stop();

      // the file names it with another start time (its pid reused by another process): left alone
      fs.writeFileSync(pidFile, JSON.stringify({ ...left, redisStart: '1', ownerPid: 2 ** 22 + 1, ownerStart: '1' }));
      started.push(await startEmbeddedRedis(dir));
      expect(processAlive(orphan.pid!)).toBe(true);
      await started.pop()!.stop();

      // its service is gone (this pid with another start time: reused): stopped before the new server starts
      fs.writeFileSync(pidFile, JSON.stringify({ ...left, ownerPid: process.pid, ownerStart: '1' }));
      started.push(await startEmbeddedRedis(dir));
      await until('the orphan to stop', () => !processAlive(orphan.pid!));
    } finally {
      if (orphan.pid && processAlive(orphan.pid)) process.kill(orphan.pid, 'SIGKILL');
    }
  });
});
