// End to end in a real browser (Debian's chromium driven by playwright-core): the operator logs in,
// enters a phone order for a new customer, weighs; the delivery lead assigns a courier; a resident
// texts an order on /dev/phone. Screenshots go to docs/screenshots (the README shows them).
import fs from 'node:fs';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { smsQueueName } from '../src/delivery/sender.js';
import { createOrderService } from '../src/orders/orderService.js';
import type { Db } from '../src/platform/db/client.js';
import { useTestDatabase } from './helpers/db.js';
import { startDemoServer } from './helpers/demoServer.js';
import { createTestGroup, uniqueGroupNumber, uniqueMobile, type TestGroup } from './helpers/fixtures.js';
import { waitFor } from './helpers/pipeline.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = fs.existsSync(CHROMIUM);
// CI installs chromium and sets REQUIRE_BROWSER: there a missing browser is a failure, not a skip
if (!haveBrowser && process.env.REQUIRE_BROWSER) throw new Error(`no browser at ${CHROMIUM} (apt-get install chromium)`);
const SHOTS = path.resolve('docs/screenshots');
const PASSWORD = 'demo-password-123';

let db: Db;
let g: TestGroup;
let base: string;
let queuePrefix: string;
let browser: Browser;
let stop: () => Promise<void>;
const email = (role: string) => `${role}@browser.test`;

beforeAll(async () => {
  if (!haveBrowser) return;
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  const passwordHash = await hash(PASSWORD);
  for (const role of ['operator', 'delivery_lead', 'coordinator'] as const) {
    await db.staffUser.create({ data: { groupId: g.groupId, role, name: { operator: 'Sophie Standard', delivery_lead: 'Marc Livraisons', coordinator: 'Claire Coordination' }[role], email: email(role), passwordHash, phone: role === 'delivery_lead' ? uniqueMobile() : null } });
  }
  await db.courier.create({ data: { groupId: g.groupId, name: 'Julie (bénévole)', phone: uniqueMobile() } });
  await db.customer.update({ where: { id: g.customerId }, data: { name: 'Madame Martin', address: '12 rue du Pont, 58140 Lormes' } });

  const demo = await startDemoServer(db);
  base = demo.base;
  queuePrefix = demo.prefix;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  stop = async () => {
    await browser.close();
    await demo.stop();
  };
}, 120_000);

afterAll(async () => {
  if (haveBrowser) await stop();
});

async function loggedIn(role: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/console/login`);
  await page.getByLabel('Adresse e-mail').fill(email(role));
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  return page;
}

describe.skipIf(!haveBrowser)('in a real browser', () => {
  it('the operator logs in and enters a phone order for a new customer', async () => {
    const page = await loggedIn('operator');
    await expect(page.getByRole('heading', { name: 'À traiter' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('.demo').textContent()).toContain('MODE DÉMO');
    await page.getByRole('link', { name: 'Commande par téléphone' }).click();
    await page.getByLabel('Téléphone').fill('06 11 22 33 44');
    await page.getByLabel('Nom').fill('Gaston Lefèvre');
    await page.getByLabel('Numéro du produit, ligne 1').fill('1');
    await page.getByLabel('Quantité, ligne 1').fill('3');
    await page.getByLabel('Numéro du produit, ligne 2').fill('10');
    await page.getByLabel('Quantité, ligne 2').fill('1');
    await page.getByLabel('Poids en grammes, ligne 2').fill('2000');
    // the total follows the typing (no click needed): 3 baguettes 3,60 € + 2 kg of apples 5,60 €
    await page.locator('#total', { hasText: 'environ 9,20 €' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, 'console-order-entry.png'), fullPage: true });
    await page.getByRole('button', { name: 'Confirmer la commande' }).click();
    expect(await page.locator('.flash').textContent()).toMatch(/^Commande enregistrée : panier \d+\./);
    const customer = await db.customer.findUniqueOrThrow({ where: { groupId_phone: { groupId: g.groupId, phone: '+33611223344' } }, include: { orders: true } });
    expect(customer.orders[0]).toMatchObject({ channel: 'operator', status: 'confirmed', estimatedCents: 920 });
    await page.close();
  });

  it('the operator weighs a distribution', async () => {
    const order = await createOrderService({ db }).placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'sms', confirm: true, lines: [{ productId: g.products.comte, quantity: 1 }] });
    const page = await loggedIn('operator');
    await page.getByRole('link', { name: 'Pesée' }).click();
    const field = page.getByLabel(`Poids de Comte, panier ${order.basketNumber}`);
    await field.fill('215');
    await field.press('Enter');
    expect(await page.locator('.flash').textContent()).toContain('Pesée enregistrée.');
    await page.screenshot({ path: path.join(SHOTS, 'console-weigh-in.png'), fullPage: true });
    // 215 g of Comté at 2,60 € per 100 g
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).finalCents).toBe(559);
    await page.close();
  });

  it('the delivery lead assigns a courier in the register', async () => {
    const svc = createOrderService({ db });
    const order = await svc.placeOrder({ groupId: g.groupId, customerId: g.customerId, distributionId: g.distributionId, channel: 'voice', confirm: true, lines: [{ productId: g.products.baguette, quantity: 1 }] });
    await svc.requestDelivery(order.id, '12 rue du Pont, 58140 Lormes');
    const page = await loggedIn('delivery_lead');
    await expect(page.getByRole('heading', { name: 'Registre des livraisons' }).isVisible()).resolves.toBe(true);
    const row = page.locator('tr', { hasText: '12 rue du Pont' }).first();
    await row.getByLabel('Livreur').selectOption({ label: 'Julie (bénévole)' });
    await row.getByRole('button', { name: 'Attribuer' }).click();
    expect(await page.locator('.flash').textContent()).toContain('Attribuée à Julie (bénévole)');
    await page.screenshot({ path: path.join(SHOTS, 'console-deliveries.png'), fullPage: true });
    expect((await db.delivery.findUniqueOrThrow({ where: { orderId: order.id } })).status).toBe('assigned');
    await page.close();
  });

  it('the coordinator retries a failed job from the queue dashboard (its calls pass the console’s CSRF protection)', async () => {
    // a sender queue no worker takes (its number is new), holding one failed job
    const number = uniqueGroupNumber();
    await db.group.create({ data: { slug: `retry-${number.slice(-6)}`, name: 'Panier de Retry', numbers: { create: [{ phone: number }] } } });
    const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const queue = new Queue(smsQueueName(number), { connection, prefix: queuePrefix });
    const taker = new Worker(queue.name, null, { connection, prefix: queuePrefix, autorun: false });
    try {
      await queue.add('sms', { messageId: 'gone' }, { jobId: 'failed-once' });
      const job = await taker.getNextJob('test-token');
      await job!.moveToFailed(new Error('Twilio said no'), 'test-token');
      expect(await queue.getJobState('failed-once')).toBe('failed');

      const page = await loggedIn('coordinator');
      page.on('dialog', (d) => void d.accept());
      await page.goto(`${base}/console/queues/queue/${queue.name}?status=failed`);
      await page.getByText('Twilio said no').first().waitFor({ timeout: 15_000 });
      const retried = page.waitForResponse((r) => r.url().includes('/retry') && r.request().method() !== 'GET', { timeout: 15_000 });
      // the job's actions are icon buttons named by a tooltip: hover each until "Retry" shows
      const actions = page.locator('[data-base-ui-tooltip-trigger] button');
      let clicked = false;
      for (let i = 0; i < (await actions.count()) && !clicked; i++) {
        await actions.nth(i).hover();
        const tip = page.locator('[role=tooltip], [data-side]').filter({ hasText: /^Retry$/ });
        if (await tip.first().waitFor({ timeout: 2_000 }).then(() => true, () => false)) {
          await actions.nth(i).click();
          clicked = true;
        }
      }
      expect(clicked).toBe(true);
      // "Are you sure that you want to retry this job?"
      await page.getByRole('button', { name: 'Confirm' }).click({ timeout: 10_000 });
      expect((await retried).status()).toBeLessThan(300);
      await waitFor('the job back in the queue', async () => (await queue.getJobState('failed-once')) === 'waiting');
      await page.close();
    } finally {
      await taker.close();
      await queue.close();
      connection.disconnect();
    }
  });

  it('the coordinator opens the queue dashboard (its scripts run under the console’s CSP)', async () => {
    const page = await loggedIn('coordinator');
    const blocked: string[] = [];
    // (its Google Fonts stylesheet is blocked on purpose: nothing leaves for third parties)
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text()) && !m.text().includes('fonts.googleapis.com')) blocked.push(m.text()); });
    await page.goto(`${base}/console/queues`);
    await page.getByText('outbox-events').first().waitFor({ timeout: 15_000 });
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('a resident texts an order on /dev/phone and reads the replies in the thread', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/dev/phone`);
    await page.locator('#group').selectOption(g.number);
    const resident = page.locator('.phone').first();
    // a resident texting for the first time
    await resident.locator('.number').fill(uniqueMobile().replace('+33', '0'));
    await resident.locator('.body').fill('2 baguettes et 1 kg de pommes');
    await resident.getByRole('button', { name: 'Envoyer le SMS' }).click();
    await resident.locator('.bubble', { hasText: 'Vous commandez' }).waitFor();
    await resident.locator('.body').fill('OUI');
    await resident.getByRole('button', { name: 'Envoyer le SMS' }).click();
    await resident.locator('.bubble', { hasText: 'Commande confirmée' }).waitFor();
    await waitFor('thread refreshed', async () => (await resident.locator('.bubble').count()) >= 4);
    expect(await resident.locator('.bubble').first().textContent()).toContain('2 baguettes et 1 kg de pommes');
    await page.screenshot({ path: path.join(SHOTS, 'dev-phone.png'), fullPage: true });
    await page.close();
  });
});
