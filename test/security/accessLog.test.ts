// The request log is what an operator reads after an incident: each line must say how the request
// ended and how long it took.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/db.js';

describe('access log', () => {
  it('carries the status code and the response time of each request', async () => {
    const { db } = await useTestDatabase();
    const { app, logs } = buildTestApp(db);
    await request(app).get('/voice-fallback.xml').expect(200);
    await request(app).post('/twilio/sms').type('form').send({ From: '+33612345678' }).expect(403);
    const completed = logs.lines.filter((l) => l.msg === 'request completed' || l.msg === 'request errored');
    const fallback = completed.find((l) => (l.req as { url: string }).url === '/voice-fallback.xml');
    const forged = completed.find((l) => (l.req as { url: string }).url === '/twilio/sms');
    expect(fallback).toMatchObject({ res: { statusCode: 200 } });
    expect(forged).toMatchObject({ res: { statusCode: 403 } });
    expect(typeof fallback?.responseTime).toBe('number');
  });
});
