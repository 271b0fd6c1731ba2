#!/usr/bin/env node
// Runs the Prisma CLI offline: engine "js" + driver adapter, never a native engine download.
// Usage: node scripts/prisma.mjs <prisma args...>
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const noEngine = path.join(here, 'prisma-no-engine.txt');
const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: noEngine,
  PRISMA_QUERY_ENGINE_LIBRARY: noEngine,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const args = process.argv.slice(2);
const preload = path.join(here, 'prisma-unref-timers.cjs');
const result = spawnSync(process.execPath, ['--require', preload, cli, ...args], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
