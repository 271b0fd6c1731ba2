import { defineConfig } from 'vitest/config';

// With a PostgreSQL URL each test file gets its own database cloned from a migrated template, so
// files run in parallel. Without one, every file shares one embedded PGlite: run them one by one.
const realPostgres = Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/setupNetwork.ts'],
    pool: 'forks',
    fileParallelism: realPostgres,
    maxWorkers: realPostgres ? 2 : 1,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
