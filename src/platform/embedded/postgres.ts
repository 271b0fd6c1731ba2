import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processAlive } from './processes.js';

/**
 * Connections the embedded server accepts. PGlite is one database session shared by every socket:
 * outside a transaction, two connections' extended-protocol messages interleave and one clobbers
 * the other's unnamed prepared statement ("unnamed prepared statement does not exist", seen under
 * load). So the service keeps a single connection, and one more is left for the admin CLI.
 */
export const EMBEDDED_PG_MAX_CONNECTIONS = 2;

export interface EmbeddedPostgres {
  url: string;
  /** false when an already-running server (the service's, seen by the CLI) was reused */
  owned: boolean;
  stop(): Promise<void>;
}

const serverScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pglite-server.mjs');

function urlFor(port: number): string {
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A server already serving this data directory (the running service), if any. */
async function runningServer(dataDir: string): Promise<number | null> {
  const lockFile = path.join(path.dirname(dataDir), 'pg.lock.json');
  if (!fs.existsSync(lockFile)) return null;
  try {
    const { pid, port } = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number; port: number };
    if (processAlive(pid) && (await portAnswers(port))) return port;
  } catch {
    // unreadable lock: treat as stale
  }
  fs.rmSync(lockFile, { force: true });
  return null;
}

/**
 * Starts PGlite in a child process, served on a loopback port, and returns its URL.
 * `dataDir` = 'memory://' gives a throwaway database (tests, migration diffs).
 */
export async function startEmbeddedPostgres(dataDir: string, port = 0): Promise<EmbeddedPostgres> {
  if (dataDir !== 'memory://') {
    const existing = await runningServer(dataDir);
    if (existing !== null) return { url: urlFor(existing), owned: false, stop: async () => {} };
  }
  const child = fork(serverScript, [dataDir, String(port), String(EMBEDDED_PG_MAX_CONNECTIONS)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // the server script is plain JS: no TypeScript loader needed in the child
    execArgv: [],
  });
  const readyPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('embedded PostgreSQL did not start within 60 s')), 60_000);
    child.once('message', (m: { ready: boolean; port?: number; error?: string }) => {
      clearTimeout(timer);
      if (m.ready && m.port) resolve(m.port);
      else reject(new Error(`embedded PostgreSQL failed to start: ${m.error ?? 'unknown error'}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited during start (code ${code})`));
    });
  });
  child.unref();
  return {
    url: urlFor(readyPort),
    owned: true,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send('stop');
      }),
  };
}
