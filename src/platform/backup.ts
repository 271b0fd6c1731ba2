// `npm run cli -- backup|restore`: a plain SQL dump, pg_dump-compatible, of DATABASE_URL (pg_dump
// and psql from PATH) or of the embedded PGlite (PGlite's own pg_dump, compiled to WebAssembly).
// The time of the last backup is kept beside the data, so that the embedded default can warn.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class BackupError extends Error {}

const WEEK_MS = 7 * 24 * 3600_000;

export interface BackupTarget {
  /** unset: the embedded PGlite in $DATA_DIR/pg */
  databaseUrl: string | undefined;
  dataDir: string;
}

const markerFile = (dataDir: string) => path.join(dataDir, 'backups', 'last-backup.json');

/** "panier-2026-12-01T0230Z.sql": sortable, one a minute at most. */
export function backupFileName(now: Date): string {
  return `panier-${now.toISOString().slice(0, 16).replace(/:/g, '')}Z.sql`;
}

function run(command: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT'
        ? new BackupError(`${command} is not on the PATH: install the PostgreSQL client of the server's major version or newer (apt-get install postgresql-client)`)
        : err));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new BackupError(`${what} failed (exit ${code}): ${stderr.trim().slice(-2000)}`))));
  });
}

/** The embedded server's process, when the service is running on this data directory. */
function embeddedServerPid(dataDir: string): number | null {
  try {
    const { pid } = JSON.parse(fs.readFileSync(path.join(dataDir, 'pg.lock.json'), 'utf8')) as { pid: number };
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function refuseWhileRunning(dataDir: string, what: string): void {
  const pid = embeddedServerPid(dataDir);
  // PGlite is one database session: a dump beside the service's queries would share its transactions
  if (pid !== null) throw new BackupError(`the service is running on the embedded database (PostgreSQL process ${pid}): stop it (Ctrl-C) for the ${what}, then start it again; or run on PostgreSQL (DATABASE_URL)`);
}

async function openPglite(dataDir: string) {
  const pgDir = path.join(dataDir, 'pg');
  if (!fs.existsSync(pgDir)) throw new BackupError(`no embedded database in ${pgDir} (set DATA_DIR, or DATABASE_URL for PostgreSQL)`);
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create(pgDir);
}

/** Writes a SQL dump to `file` and records the time. */
export async function backup(target: BackupTarget, file: string, now = new Date()): Promise<{ file: string; bytes: number }> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const options = ['--no-owner', '--no-privileges', '--clean', '--if-exists'];
  if (target.databaseUrl) {
    await run('pg_dump', [...options, '--file', file, '--dbname', target.databaseUrl], 'pg_dump');
  } else {
    refuseWhileRunning(target.dataDir, 'backup');
    const pg = await openPglite(target.dataDir);
    try {
      const { pgDump } = await import('@electric-sql/pglite-tools/pg_dump');
      const dump = await pgDump({ pg, args: options });
      fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    } finally {
      await pg.close();
    }
  }
  const bytes = fs.statSync(file).size;
  fs.mkdirSync(path.dirname(markerFile(target.dataDir)), { recursive: true });
  fs.writeFileSync(markerFile(target.dataDir), JSON.stringify({ at: now.toISOString(), file: path.resolve(file), bytes }));
  return { file, bytes };
}

/** psql meta-commands (recent pg_dump writes `\restrict`) that PGlite cannot run. Pure. */
export function withoutMetaCommands(sql: string): string {
  return sql.replace(/^\\[a-z]+.*$/gm, '');
}

/** Replays a dump: everything it holds replaces what is there, in one transaction. */
export async function restore(target: BackupTarget, file: string): Promise<void> {
  if (!fs.existsSync(file)) throw new BackupError(`no such file: ${file}`);
  if (target.databaseUrl) {
    await run('psql', ['--no-psqlrc', '--quiet', '--set', 'ON_ERROR_STOP=1', '--single-transaction', '--file', file, '--dbname', target.databaseUrl], 'psql');
    return;
  }
  refuseWhileRunning(target.dataDir, 'restore');
  const pg = await openPglite(target.dataDir);
  try {
    await pg.transaction(async (tx) => {
      await tx.exec(withoutMetaCommands(fs.readFileSync(file, 'utf8')));
    });
  } finally {
    await pg.close();
  }
}

/**
 * For the embedded default's start: a warning when the last backup is older than a week (or there
 * is none and the database is older than a week), else null.
 */
export function backupWarning(dataDir: string, now = new Date()): string | null {
  try {
    const { at } = JSON.parse(fs.readFileSync(markerFile(dataDir), 'utf8')) as { at: string };
    const age = now.getTime() - new Date(at).getTime();
    if (age <= WEEK_MS) return null;
    return `the last backup is ${Math.floor(age / (24 * 3600_000))} days old: npm run cli -- backup (see README, Backups)`;
  } catch {
    const created = fs.statSync(path.join(dataDir, 'pg'), { throwIfNoEntry: false })?.birthtime;
    if (created && now.getTime() - created.getTime() > WEEK_MS) return 'this database has never been backed up: npm run cli -- backup (see README, Backups)';
    return null;
  }
}
