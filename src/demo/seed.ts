import { hash } from '@node-rs/argon2';
import { DateTime } from 'luxon';
import { importCatalogRows } from '../catalog/catalogService.js';
import { addRelayPoint } from '../catalog/relays.js';
import { SYSTEM } from '../orders/actor.js';
import { upsertCustomer } from '../orders/customers.js';
import { createDistribution } from '../orders/distributionLifecycle.js';
import type { Db } from '../platform/db/client.js';
import { DEMO_COURIERS, DEMO_CUSTOMERS, DEMO_GROUP, DEMO_PRODUCERS, DEMO_PRODUCTS, DEMO_RELAY, DEMO_STAFF } from './demoData.js';

export interface SeedReport {
  groupId: string;
  createdGroup: boolean;
  createdDistribution: boolean;
  productsCreated: number;
}

/**
 * The next Friday pickup (16:00–19:00, group time) whose ordering still closes in the future
 * (the Wednesday before, 20:00). Orders open a week before they close.
 */
export function nextDemoDistributionTimes(now: Date, timeZone: string) {
  let friday = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  while (friday.weekday !== 5) friday = friday.plus({ days: 1 });
  for (;;) {
    const closes = friday.minus({ days: 2 }).set({ hour: 20 });
    if (closes.toJSDate() > now) {
      return {
        pickupStart: friday.set({ hour: 16 }).toJSDate(),
        pickupEnd: friday.set({ hour: 19 }).toJSDate(),
        opensAt: closes.minus({ days: 7 }).toJSDate(),
        closesAt: closes.toJSDate(),
        deliveryStart: friday.plus({ days: 1 }).set({ hour: 9 }).toJSDate(),
        deliveryEnd: friday.plus({ days: 1 }).set({ hour: 12 }).toJSDate(),
      };
    }
    friday = friday.plus({ weeks: 1 });
  }
}

/** Loads the demo group. Running it twice changes nothing. */
export async function seedDemo(db: Db, now = new Date()): Promise<SeedReport> {
  const before = await db.group.findUnique({ where: { slug: DEMO_GROUP.slug } });
  const group = await db.group.upsert({
    where: { slug: DEMO_GROUP.slug },
    create: {
      slug: DEMO_GROUP.slug, name: DEMO_GROUP.name, timeZone: DEMO_GROUP.timeZone, operatorPhone: DEMO_GROUP.operatorPhone,
      operatorHours: DEMO_GROUP.operatorHours, smsSenderKind: 'phone_number', smsSender: DEMO_GROUP.number,
    },
    update: {},
  });
  await db.groupNumber.upsert({ where: { phone: DEMO_GROUP.number }, create: { groupId: group.id, phone: DEMO_GROUP.number, label: 'numéro du panier' }, update: {} });
  const relay =
    (await db.relayPoint.findUnique({ where: { groupId_name: { groupId: group.id, name: DEMO_RELAY.name } } })) ??
    (await db.$transaction((tx) => addRelayPoint(tx, { groupId: group.id, ...DEMO_RELAY }, SYSTEM)));
  for (const p of DEMO_PRODUCERS) {
    await db.producer.upsert({ where: { groupId_name: { groupId: group.id, name: p.name } }, create: { groupId: group.id, ...p }, update: {} });
  }
  const existingCodes = new Set((await db.product.findMany({ where: { groupId: group.id }, select: { code: true } })).map((p) => p.code));
  const missing = DEMO_PRODUCTS.filter((p) => p.code !== null && !existingCodes.has(p.code));
  const imported = missing.length > 0 ? await importCatalogRows(db, group.id, missing) : { created: 0 };

  for (const s of DEMO_STAFF) {
    const existing = await db.staffUser.findUnique({ where: { email: s.email } });
    if (!existing) {
      await db.staffUser.create({
        data: { groupId: group.id, role: s.role, name: s.name, email: s.email, phone: 'phone' in s ? s.phone : undefined, passwordHash: await hash(s.password) },
      });
    }
  }
  for (const c of DEMO_COURIERS) {
    await db.courier.upsert({ where: { groupId_phone: { groupId: group.id, phone: c.phone } }, create: { groupId: group.id, ...c }, update: {} });
  }
  for (const c of DEMO_CUSTOMERS) {
    const existing = await db.customer.findUnique({ where: { groupId_phone: { groupId: group.id, phone: c.phone } } });
    if (!existing) await upsertCustomer(db, { groupId: group.id, ...c });
  }

  const upcoming = await db.distribution.findFirst({ where: { groupId: group.id, status: 'scheduled', closesAt: { gt: now } } });
  if (!upcoming) {
    await db.$transaction((tx) => createDistribution(tx, { groupId: group.id, relayPointId: relay.id, ...nextDemoDistributionTimes(now, group.timeZone) }, SYSTEM));
  }
  return { groupId: group.id, createdGroup: !before, createdDistribution: !upcoming, productsCreated: imported.created };
}
