// The embedded redis-server of `npm start`: out of the terminal's process group (a Ctrl-C reaches
// the service, which stops it after its workers), and one left by a killed service stopped at the
// next start (both would write the same append-only file).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '../src/platform/embedded/redis.js';
import { processAlive } from '../src/platform/embedded/processes.js';

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const dirs: string[] = [];
const started: EmbeddedRedis[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-embedded-redis-'));
  dirs.push(dir);
  return dir;
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
    const redis = await startEmbeddedRedis(dir);
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
    const orphan = spawn('redis-server', ['--port', '0', '--unixsocket', path.join(dir, 'orphan.sock'), '--save', ''], { stdio: 'ignore', detached: true });
    orphan.unref();
    await until('the orphan to run', () => orphan.pid !== undefined && processAlive(orphan.pid));
    const pidFile = path.join(dir, 'redis.pid.json');
    try {
      // its service still runs (this process): left alone
      fs.writeFileSync(pidFile, JSON.stringify({ redisPid: orphan.pid, ownerPid: process.pid }));
      started.push(await startEmbeddedRedis(dir));
      expect(processAlive(orphan.pid!)).toBe(true);
      await started.pop()!.stop();

      // its service is gone (a pid no process has): stopped before the new server starts
      fs.writeFileSync(pidFile, JSON.stringify({ redisPid: orphan.pid, ownerPid: 2 ** 22 + 1 }));
      started.push(await startEmbeddedRedis(dir));
      await until('the orphan to stop', () => !processAlive(orphan.pid!));
    } finally {
      if (orphan.pid && processAlive(orphan.pid)) process.kill(orphan.pid, 'SIGKILL');
    }
  });
});
