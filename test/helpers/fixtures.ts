import crypto from 'node:crypto';
import type { Db } from '../../src/platform/db/client.js';

let counter = 0;
/** A French mobile number no other test uses. */
export function uniqueMobile(): string {
  const n = (crypto.randomInt(0, 9_000_000) + (++counter * 7919)) % 10_000_000;
  return `+3361${String(n).padStart(7, '0')}`;
}
/** A French "09" number for a group's Twilio line. */
export function uniqueGroupNumber(): string {
  const n = (crypto.randomInt(0, 9_000_000) + (++counter * 7919)) % 10_000_000;
  return `+3397${String(n).padStart(7, '0')}`;
}

export interface TestGroup {
  groupId: string;
  slug: string;
  number: string;
  relayId: string;
  producerId: string;
  distributionId: string;
  customerId: string;
  customerPhone: string;
  products: { baguette: string; pommes: string; comte: string; poulet: string; oeufs: string; croissant: string };
}

/** A group with a relay point, a producer, products in every pricing mode, an open distribution and a customer. */
export async function createTestGroup(db: Db, opts: { croissantStock?: number; now?: Date } = {}): Promise<TestGroup> {
  const now = opts.now ?? new Date();
  const slug = `t-${crypto.randomBytes(4).toString('hex')}`;
  const number = uniqueGroupNumber();
  const group = await db.group.create({ data: { slug, name: 'Panier de Test', numbers: { create: [{ phone: number }] } } });
  const relay = await db.relayPoint.create({ data: { groupId: group.id, name: 'Epicerie test', address: '1 rue du Test' } });
  const producer = await db.producer.create({ data: { groupId: group.id, name: 'Ferme test' } });
  const product = (data: Record<string, unknown>) =>
    db.product.create({ data: { groupId: group.id, producerId: producer.id, category: 'Divers', ...data } as never, select: { id: true } });
  const baguette = await product({ code: 1, name: 'Baguette tradition', unit: 'piece', priceCents: 120 });
  const croissant = await product({ code: 3, name: 'Croissant', unit: 'piece', priceCents: 110, stockPerDistribution: opts.croissantStock ?? 10 });
  const pommes = await product({ code: 10, name: 'Pommes', unit: 'kg', priceCents: 280, variableWeight: true, averageWeightGrams: 180 });
  const oeufs = await product({ code: 16, name: 'Oeufs (boite de 6)', unit: 'piece', priceCents: 240, packSize: 6 });
  const comte = await product({ code: 20, name: 'Comte', unit: 'g100', priceCents: 260, variableWeight: true, portionGrams: 200 });
  const poulet = await product({ code: 30, name: 'Poulet fermier', unit: 'kg', priceCents: 1150, variableWeight: true, multiWeigh: true, averageWeightGrams: 1800 });
  const day = 24 * 3600_000;
  const distribution = await db.distribution.create({
    data: {
      groupId: group.id, relayPointId: relay.id,
      opensAt: new Date(now.getTime() - day), closesAt: new Date(now.getTime() + 2 * day),
      pickupStart: new Date(now.getTime() + 3 * day), pickupEnd: new Date(now.getTime() + 3 * day + 3 * 3600_000),
    },
  });
  const customerPhone = uniqueMobile();
  const customer = await db.customer.create({ data: { groupId: group.id, phone: customerPhone, name: 'Madame Test', lineType: 'mobile' } });
  return {
    groupId: group.id, slug, number, relayId: relay.id, producerId: producer.id, distributionId: distribution.id,
    customerId: customer.id, customerPhone,
    products: { baguette: baguette.id, pommes: pommes.id, comte: comte.id, poulet: poulet.id, oeufs: oeufs.id, croissant: croissant.id },
  };
}
