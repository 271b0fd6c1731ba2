// Real PostgreSQL (TEST_DATABASE_URL or DATABASE_URL) or the embedded PGlite, and real Redis
// (REDIS_URL, or a redis-server from PATH) for the whole run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDeploy } from '../src/platform/db/migrate.js';
import { startEmbeddedPostgres } from '../src/platform/embedded/postgres.js';
import { startEmbeddedRedis } from '../src/platform/embedded/redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** set with real PostgreSQL: clone this template for each test file */
    pgAdminUrl: string | null;
    pgTemplate: string | null;
    /** names this run's test databases, dropped together at the end of the run */
    pgRunId: string;
    /** set with embedded PGlite: one shared database */
    sharedDatabaseUrl: string | null;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  const baseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (baseUrl) {
    const template = `panier_test_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${template}"`);
    await admin.end();
    const templateUrl = new URL(baseUrl);
    templateUrl.pathname = `/${template}`;
    await migrateDeploy(templateUrl.toString());
    project.provide('pgAdminUrl', baseUrl);
    project.provide('pgTemplate', template);
    project.provide('sharedDatabaseUrl', null);
    project.provide('pgRunId', String(process.pid));
    stops.push(async () => {
      // this run's databases, also those of files that failed or were cut short (their afterAll
      // may not have run); other runs' (other people on the same server) are left alone
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      const left = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`panier\\_test\\_${process.pid}\\_%`]);
      for (const { datname } of left.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      await c.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
      await c.end();
    });
  } else {
    const embedded = await startEmbeddedPostgres('memory://');
    await migrateDeploy(embedded.url);
    project.provide('pgAdminUrl', null);
    project.provide('pgRunId', String(process.pid));
    project.provide('pgTemplate', null);
    project.provide('sharedDatabaseUrl', embedded.url);
    stops.push(() => embedded.stop());
  }

  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panier-test-redis-'));
    const redis = await startEmbeddedRedis(dir);
    project.provide('redisUrl', redis.url);
    stops.push(async () => {
      await redis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
