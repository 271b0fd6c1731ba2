import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTwilioClient } from '../src/platform/twilio.js';

afterEach(() => nock.cleanAll());

describe('Twilio REST client', () => {
  const sid = 'AC' + 'a'.repeat(32);

  it('sends REST calls to TWILIO_API_BASE_URL with the account credentials', async () => {
    const base = 'https://twilio-stand-in.example';
    const scope = nock(base)
      .post(`/2010-04-01/Accounts/${sid}/Messages.json`, (body: Record<string, string>) => body.To === '+33612345678' && body.Body === 'Bonjour')
      .basicAuth({ user: sid, pass: 'secret' })
      .reply(201, { sid: 'SM' + 'b'.repeat(32), status: 'queued', to: '+33612345678', from: '+33970000001', body: 'Bonjour' });
    const client = createTwilioClient(sid, 'secret', base);
    const message = await client.messages.create({ to: '+33612345678', from: '+33970000001', body: 'Bonjour' });
    expect(message.sid).toBe('SM' + 'b'.repeat(32));
    expect(scope.isDone()).toBe(true);
  });

  it('uses Twilio’s own host when no base URL is set', async () => {
    const scope = nock('https://api.twilio.com').post(`/2010-04-01/Accounts/${sid}/Messages.json`).reply(400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 });
    const client = createTwilioClient(sid, 'secret');
    await expect(client.messages.create({ to: 'nope', from: '+33970000001', body: 'x' })).rejects.toMatchObject({ code: 21211, status: 400 });
    expect(scope.isDone()).toBe(true);
  });
});
