import { Redis } from 'ioredis';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers/app.js';
import { useTestDatabase } from './helpers/db.js';

describe('GET /readyz', () => {
  it('answers 503 and names Redis when Redis cannot be reached', async () => {
    const { db } = await useTestDatabase();
    // nothing listens on port 1
    const deadRedis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    deadRedis.on('error', () => {});
    const { app, logs } = buildTestApp(db, { redis: deadRedis });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    // one word per dependency, nothing about hosts, ports or the driver's message
    // (the database answers "ok", or "down" when a loaded machine makes it miss the 2 s check)
    expect(res.body).toEqual({ status: 'error', database: expect.stringMatching(/^(ok|down)$/), redis: 'down' });
    expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:1\b/);
    // the details are for the operator, in the log
    expect(logs.lines.some((l) => l.msg === 'readiness check failed' && l.dependency === 'redis' && l.err)).toBe(true);
    deadRedis.disconnect();
  });
});

describe('GET /voice-fallback.xml', () => {
  it('serves the static French fallback TwiML', async () => {
    const { db } = await useTestDatabase();
    const { app } = buildTestApp(db);
    const res = await request(app).get('/voice-fallback.xml');
    expect(res.status).toBe(200);
    expect(res.text).toContain('momentanément indisponible');
    expect(res.text).toContain('<Hangup/>');
  });
});
