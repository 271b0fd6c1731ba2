import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEMO_TWILIO_ACCOUNT_SID, loadConfig, requireExternalServices } from './config.js';

describe('config', () => {
  it('runs the demo with no variable at all', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.twilio).toMatchObject({ demoMode: true, accountSid: DEMO_TWILIO_ACCOUNT_SID, apiBaseUrl: 'http://localhost:3000/dev/twilio' });
  });
  it('uses real credentials and Twilio hosts when given', () => {
    const c = loadConfig({ PORT: '8080', PUBLIC_BASE_URL: 'https://panier.example.org/', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 'tok' });
    expect(c.publicBaseUrl).toBe('https://panier.example.org');
    expect(c.twilio).toEqual({ accountSid: 'AC1', authToken: 'tok', apiBaseUrl: undefined, demoMode: false });
  });
  it('refuses demo mode in production and bad values, clearly', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(/PUBLIC_BASE_URL/);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'no' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });
  it('prepares statements unless told off (a pooler sharing server sessions)', () => {
    expect(loadConfig({}).databasePreparedStatements).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'off' }).databasePreparedStatements).toBe(false);
  });
  it('start:prod names the missing services instead of falling back to the embedded ones', () => {
    expect(() => requireExternalServices(loadConfig({}))).toThrow(/set DATABASE_URL and REDIS_URL/);
    expect(() => requireExternalServices(loadConfig({ DATABASE_URL: 'postgresql://db/panier' }))).toThrow(/set REDIS_URL \(/);
    expect(() => requireExternalServices(loadConfig({ DATABASE_URL: 'postgresql://db/p', REDIS_URL: 'redis://r:6379' }))).not.toThrow();
  });
});
