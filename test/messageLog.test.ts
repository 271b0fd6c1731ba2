import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db/client.js';
import { createInboundSmsLog } from '../src/sms/messageLog.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';

let db: Db;
let g: TestGroup;
beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
});

const sms = (messageSid: string, from: string, body = 'bonjour') => ({ groupId: g.groupId, messageSid, from, to: g.number, body });

describe('inbound SMS log', () => {
  it('writes a burst of messages in batches, each with its reply, linked to known customers', async () => {
    const log = createInboundSmsLog(db, { maxInFlight: 2, maxBatch: 7 });
    const phones = Array.from({ length: 40 }, () => uniqueMobile());
    const results = await Promise.all(phones.map((p, i) => log.record(sms(`SMburst${i}-${g.slug}`, p, `commande ${i}`), `reponse ${i}`)));
    expect(results.every(Boolean)).toBe(true);
    for (const [i, p] of phones.entries()) {
      const rows = await db.message.findMany({ where: { groupId: g.groupId, OR: [{ fromPhone: p }, { toPhone: p }] }, orderBy: { direction: 'asc' } });
      expect(rows.map((r) => [r.direction, r.body, r.status])).toEqual([['inbound', `commande ${i}`, 'received'], ['outbound', `reponse ${i}`, 'queued']]);
    }
    await log.record(sms(`SMknown-${g.slug}`, g.customerPhone), 'ok');
    const known = await db.message.findMany({ where: { groupId: g.groupId, OR: [{ twilioSid: `SMknown-${g.slug}` }, { toPhone: g.customerPhone }] } });
    expect(known.map((m) => m.customerId)).toEqual([g.customerId, g.customerId]);
  });

  it('records a MessageSid once, whether the duplicate comes in the same batch or later', async () => {
    const log = createInboundSmsLog(db);
    const from = uniqueMobile();
    const sid = `SMdup-${g.slug}`;
    const [a, b] = await Promise.all([log.record(sms(sid, from), 'r'), log.record(sms(sid, from), 'r')]);
    expect([a, b].sort()).toEqual([false, true]);
    expect(await log.record(sms(sid, from), 'r')).toBe(false);
    expect(await db.message.count({ where: { OR: [{ twilioSid: sid }, { toPhone: from }] } })).toBe(2);
  });

  it('fails every webhook of a batch that could not be written, so Twilio retries them', async () => {
    const log = createInboundSmsLog(db);
    const bad = { groupId: 'no-such-group', messageSid: `SMbad-${g.slug}`, from: uniqueMobile(), to: g.number, body: 'x' };
    await expect(log.record(bad, 'r')).rejects.toThrow();
    expect(await db.message.count({ where: { twilioSid: bad.messageSid } })).toBe(0);
  });
});
