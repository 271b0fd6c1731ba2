// Child process: serves an embedded PostgreSQL (PGlite, WASM) on a loopback port.
// It runs apart from the web process because PGlite is CPU-bound and would block webhooks.
// Plain JS so that it starts under node, tsx or vitest alike.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const [dataDir, portArg, maxConnectionsArg] = process.argv.slice(2);
const lockFile = dataDir === 'memory://' ? null : path.join(path.dirname(dataDir), 'pg.lock.json');

function send(message) {
  if (process.send) process.send(message);
  else console.log(JSON.stringify(message));
}

try {
  if (dataDir !== 'memory://') fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: Number(portArg ?? 0),
    maxConnections: Number(maxConnectionsArg ?? 8),
  });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  if (lockFile) fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, port }));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await server.stop();
      await db.close();
    } finally {
      if (lockFile) fs.rmSync(lockFile, { force: true });
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  // Ctrl-C reaches the whole process group: the parent decides when the database stops, after its
  // own connections are closed ('stop' message, or the IPC channel closing if the parent dies).
  process.on('SIGINT', () => {});
  process.on('disconnect', stop);
  process.on('message', (m) => {
    if (m === 'stop') void stop();
  });
  send({ ready: true, port });
} catch (err) {
  send({ ready: false, error: String(err?.stack ?? err) });
  process.exit(1);
}
