// What an SMS costs the database, in statements: the webhook's one INSERT, and the worker's step on
// the common paths. Counted on real PostgreSQL through the pg pool (BEGIN/COMMIT left out).
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupDirectory, type GroupSummary } from '../src/catalog/groups.js';
import { createCatalogCache } from '../src/catalog/openCatalog.js';
import { createStaffSms } from '../src/delivery/staffSms.js';
import { createOrderService } from '../src/orders/orderService.js';
import type { Db } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';
import { acceptInboundSms } from '../src/sms/accept.js';
import { createSmsConversation } from '../src/sms/conversation.js';
import { createInboundProcessor, type ReplyToSend } from '../src/sms/inboundProcessor.js';
import { useTestDatabase } from './helpers/db.js';
import { createTestGroup, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { countingDb } from './helpers/statements.js';

let db: Db;
let g: TestGroup;
let counted: ReturnType<typeof countingDb>;
let group: GroupSummary;
let processor: ReturnType<typeof createInboundProcessor>;
const replies: ReplyToSend[] = [];

beforeAll(async () => {
  let url: string;
  ({ db, url } = await useTestDatabase());
  g = await createTestGroup(db);
  counted = countingDb(url);
  const groups = createGroupDirectory(counted.db);
  group = (await groups(g.number))!;
  processor = createInboundProcessor({
    db: counted.db, log: createLogger('silent'), groups,
    conversation: createSmsConversation({ orders: createOrderService({ db: counted.db }), catalogs: createCatalogCache() }),
    staff: createStaffSms({}),
    sendReply: async (r) => void replies.push(r),
  });
});

afterAll(() => counted?.db.$disconnect());

async function accept(from: string, body: string): Promise<{ id: string; statements: string[] }> {
  let id = '';
  const statements = await counted.statementsOf(async () => {
    const outcome = await acceptInboundSms(counted.db, group, { MessageSid: `SM${crypto.randomBytes(16).toString('hex')}`, From: from, To: g.number, Body: body });
    if (outcome.kind !== 'accepted') throw new Error(outcome.kind);
    id = outcome.messageId;
  });
  return { id, statements };
}

/** The statements of the worker's step for one text. */
async function step(from: string, body: string): Promise<string[]> {
  const { id } = await accept(from, body);
  return counted.statementsOf(() => processor.processText(id));
}

describe('what an SMS costs the database', () => {
  it('the webhook: one statement', async () => {
    const { statements } = await accept(uniqueMobile(), '2 baguettes');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/INSERT INTO "Message"[\s\S]*ON CONFLICT \("twilioSid"\) DO NOTHING/);
    // no NOTIFY: PostgreSQL serialises the commits of notifying transactions (the job is queued in Redis)
    expect(statements[0]).not.toMatch(/pg_notify/);
  });

  it('the worker: a handful on the common paths of a known resident', async () => {
    const phone = uniqueMobile();
    await db.customer.create({ data: { groupId: g.groupId, phone, name: 'Mme Compte', lineType: 'mobile', privacyNoticeAt: new Date() } });
    await step(phone, 'bonjour'); // the caches warm up
    const cost = {
      greeting: (await step(phone, 'merci bonjour')).length,
      price: (await step(phone, 'combien les pommes')).length,
      status: (await step(phone, 'SUIVI')).length,
      order: (await step(phone, '2 baguettes et 6 oeufs')).length,
      confirm: (await step(phone, 'OUI')).length,
      statusWithOrder: (await step(phone, 'SUIVI')).length,
    };
    console.log('statements per SMS step (BEGIN/COMMIT left out):', cost);
    // lock, read, write; one read more where the reply needs the orders
    expect(cost.greeting).toBeLessThanOrEqual(3);
    expect(cost.price).toBeLessThanOrEqual(3);
    expect(cost.status).toBeLessThanOrEqual(4);
    expect(cost.statusWithOrder).toBeLessThanOrEqual(4);
    expect(cost.order).toBeLessThanOrEqual(ORDER_BUDGET);
    expect(cost.confirm).toBeLessThanOrEqual(CONFIRM_BUDGET);
  });
});

// the draft and the confirmation go through the order service's use cases (stock, basket number,
// outbox event): 2 statements for the draft, 3 for its confirmation (test/orders.test.ts counts
// each use case); the rest is the conversation's and the savepoint around the confirmation
const ORDER_BUDGET = 5;
const CONFIRM_BUDGET = 8;
