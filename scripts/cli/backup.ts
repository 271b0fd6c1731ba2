// `backup` and `restore`: a plain SQL dump of DATABASE_URL or of the embedded database.
// Registered by scripts/cli.ts.
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../src/config.js';
import { backup, backupFileName, restore } from '../../src/platform/backup.js';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('write a SQL dump (pg_dump-compatible) of DATABASE_URL, or of the embedded database (the service stopped)')
    .option('--out <file>', 'where to write it (default: $DATA_DIR/backups/panier-<time>.sql)')
    .action(async (o: { out?: string }) => {
      const config = loadConfig();
      const file = o.out ?? path.join(config.dataDir, 'backups', backupFileName(new Date()));
      const done = await backup({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, file);
      console.log(`backup written: ${done.file} (${Math.ceil(done.bytes / 1024)} KB)`);
    });

  program
    .command('restore')
    .description('replace the database with a dump made by `backup` (DATABASE_URL: psql from PATH; embedded: the service stopped)')
    .argument('<file>', 'the .sql file')
    .requiredOption('--yes', 'confirm: everything in the database is replaced by the dump')
    .action(async (file: string) => {
      const config = loadConfig();
      await restore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, file);
      console.log(`restored from ${file}`);
    });
}
