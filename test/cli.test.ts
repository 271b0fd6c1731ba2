import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../scripts/cli.js';
import { createOrderService } from '../src/orders/orderService.js';
import type { Db } from '../src/platform/db/client.js';
import { useTestDatabase } from './helpers/db.js';
import { uniqueGroupNumber } from './helpers/fixtures.js';

const run = promisify(execFile);
let db: Db;
let url: string;
const slug = `cli${Date.now().toString(36)}`;
const dirs: string[] = [];

/** One command line, in this process (a child process per command took 5 to 17 s on a loaded machine). */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // this file's database, open and migrated: opening it (migrate deploy) is the smoke test's job
  const code = await runCli(args, {
    db,
    io: { out: (l) => void (stdout += `${l}\n`), err: (l) => void (stderr += `${l}\n`), write: (t) => void (stdout += t), writeErr: (t) => void (stderr += t) },
  });
  return { code, stdout, stderr };
}

afterAll(() => {
  // temporary folders go even when a test failed
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  ({ db, url } = await useTestDatabase());
});

describe('admin CLI', () => {
  it('creates a group, a relay point, a catalogue and a distribution, then exports its orders', async () => {
    const number = uniqueGroupNumber();
    expect((await cli('group', 'create', '--slug', slug, '--name', 'Panier de Brassy', '--number', number)).stdout).toContain(`group ${slug} created`);
    expect((await cli('relay', 'add', '--group', slug, '--name', 'Bar-tabac', '--address', '1 place de la Mairie')).code).toBe(0);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    dirs.push(dir);
    const csv = path.join(dir, 'catalogue.csv');
    fs.writeFileSync(csv, '\uFEFFproducer;code;name;category;unit;price\nFournil;1;Baguette;Pain;pièce;1,10\nFournil;2;Miche;Pain;piece;cher\n');
    const bad = await cli('catalog', 'import', csv, '--group', slug);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('ligne 3 : prix "cher" : pas un montant en euros');
    expect(bad.stdout).toContain('1 produit serait créé, 0 modifié, 1 ligne refusée : ligne 3 : prix "cher" : pas un montant en euros. Rien n’a été enregistré');
    fs.writeFileSync(csv, '\uFEFFproducer;code;name;category;unit;price\nFournil;1;Baguette;Pain;pièce;1,10\nFournil;2;Miche;Pain;piece;3,20\n');
    const good = await cli('catalog', 'import', csv, '--group', slug);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('fichier catalogue (utf-8-bom) : 2 produits créés, 0 modifié.');

    const now = new Date();
    const fmt = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
    const day = 24 * 3600_000;
    const created = await cli('distribution', 'create', '--group', slug, '--relay', 'Bar-tabac', '--opens', fmt(new Date(now.getTime() - day)), '--closes', fmt(new Date(now.getTime() + day)), '--pickup-start', fmt(new Date(now.getTime() + 2 * day)), '--pickup-end', fmt(new Date(now.getTime() + 2 * day + 3600_000)));
    expect(created.code).toBe(0);

    const group = await db.group.findUniqueOrThrow({ where: { slug } });
    const customer = await cli('customer', 'add', '--group', slug, '--phone', '06 98 76 54 32', '--name', 'Monsieur Petit', '--delivery');
    expect(customer.stdout).toContain('customer Monsieur Petit saved (mobile)');
    const c = await db.customer.findFirstOrThrow({ where: { groupId: group.id } });
    expect(c).toMatchObject({ phone: '+33698765432', deliveryByDefault: true });
    const distribution = await db.distribution.findFirstOrThrow({ where: { groupId: group.id } });
    const baguette = await db.product.findFirstOrThrow({ where: { groupId: group.id, code: 1 } });
    await createOrderService({ db }).placeOrder({ groupId: group.id, customerId: c.id, distributionId: distribution.id, channel: 'voice', confirm: true, lines: [{ productId: baguette.id, quantity: 3 }] });

    const json = await cli('orders', 'export', '--group', slug, '--distribution', 'next');
    const exported = JSON.parse(json.stdout) as { orders: { basketNumber: number; customerPhone: string; estimatedCents: number; lines: { code: number; quantity: number }[] }[] };
    expect(exported.orders).toEqual([expect.objectContaining({ basketNumber: 1, customerPhone: '+33698765432', estimatedCents: 330, lines: [expect.objectContaining({ code: 1, quantity: 3 })] })]);
    const csvOut = await cli('orders', 'export', '--group', slug, '--distribution', distribution.id, '--format', 'csv');
    expect(csvOut.stdout.split('\n')[1]).toBe('1;Monsieur Petit;06 98 76 54 32;telephone (menu vocal);confirmé;retrait;1;Baguette;3;piece;;3,30;;3,30;;non');
  });

  it('answers errors in one clear line with a non-zero exit', async () => {
    const missing = await cli('relay', 'add', '--group', 'nope', '--name', 'x', '--address', 'y');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('error: group "nope" not found');
    const badPhone = await cli('courier', 'add', '--group', slug, '--name', 'Julie', '--phone', '12');
    expect(badPhone.stderr.trim()).toBe('error: "12" is not a valid phone number');
    const help = await cli('distribution', 'create', '--help');
    expect(help.stdout).toContain('--pickup-start <time>');
  });

  it('runs as a process too (npm run cli): one smoke test', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'group', 'list'], { env: { ...process.env, DATABASE_URL: url }, timeout: 90_000 });
    expect(stdout).toContain(slug);
  }, 120_000);
});
