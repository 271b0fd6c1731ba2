// A redis-server of a test's own, on a free port, that the test stops and starts (an outage).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './pipeline.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** `persistent`: AOF, so what was queued before a stop is there after it; otherwise it restarts empty. */
export async function ownRedisServer(opts: { persistent: boolean }) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-redis-'));
  let child: ChildProcess | null = null;
  return {
    url: `redis://127.0.0.1:${port}`,
    async start(): Promise<void> {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', opts.persistent ? 'yes' : 'no', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
      const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      await waitFor('redis up', async () => probe.connect().then(() => probe.ping()).catch(() => null), 10_000);
      probe.disconnect();
    },
    async stop(): Promise<void> {
      const running = child;
      if (!running) return;
      child = null;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      });
    },
    /** stops it if it runs and removes its files */
    async remove(): Promise<void> {
      await this.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
