// Prisma CLI configuration: engine "js" with the pg driver adapter, so no native engine is ever
// downloaded. Scripts call the CLI through scripts/prisma.mjs, which sets the engine variables.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { createPgPool } from './src/platform/db/pool.js';

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  engine: 'js',
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL must be set for Prisma CLI commands that reach the database');
    return new PrismaPg(createPgPool(url, { max: 1, nameAsText: true, idleTimeoutMillis: 200 }));
  },
});
