#!/usr/bin/env node
// npm run build: the service compiled to dist/ (tsc, tsconfig.build.json), run by
// `npm run start:prod` and the Docker image with plain node. Same steps in CI and in the image.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// a file removed from src/ must not live on in dist/
fs.rmSync(dist, { recursive: true, force: true });
run([path.join(root, 'scripts', 'prisma.mjs'), 'generate']);
run([require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
// what tsc does not copy: the console's templates and the embedded PGlite server script
fs.cpSync(path.join(root, 'src', 'console', 'views'), path.join(dist, 'console', 'views'), { recursive: true });
fs.copyFileSync(path.join(root, 'src', 'platform', 'embedded', 'pglite-server.mjs'), path.join(dist, 'platform', 'embedded', 'pglite-server.mjs'));
console.log('build: dist/ ready (node dist/main.js)');
