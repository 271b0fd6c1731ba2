import { beforeAll, describe, expect, it } from 'vitest';
import { windowState } from '../src/catalog/window.js';
import { seedDemo, nextDemoDistributionTimes } from '../src/demo/seed.js';
import type { Db } from '../src/platform/db/client.js';
import { useTestDatabase } from './helpers/db.js';

let db: Db;
beforeAll(async () => {
  ({ db } = await useTestDatabase());
});

async function counts(groupId: string) {
  const where = { groupId };
  return {
    products: await db.product.count({ where }), producers: await db.producer.count({ where }), staff: await db.staffUser.count({ where }),
    couriers: await db.courier.count({ where }), distributions: await db.distribution.count({ where }), customers: await db.customer.count({ where }),
    relays: await db.relayPoint.count({ where }), numbers: await db.groupNumber.count({ where }),
  };
}

describe('demo seed', () => {
  it('loads the Lormes group with every pricing mode and an open distribution, and changes nothing the second time', async () => {
    const first = await seedDemo(db);
    expect(first.createdGroup).toBe(true);
    const after1 = await counts(first.groupId);
    expect(after1).toMatchObject({ producers: 5, couriers: 3, distributions: 1, relays: 1, numbers: 1 });
    expect(after1.products).toBeGreaterThanOrEqual(24);
    const products = await db.product.findMany({ where: { groupId: first.groupId } });
    expect(products.some((p) => p.unit === 'piece' && p.packSize === 6)).toBe(true);
    expect(products.some((p) => p.unit === 'kg' && p.variableWeight && !p.multiWeigh)).toBe(true);
    expect(products.some((p) => p.multiWeigh && p.averageWeightGrams)).toBe(true);
    expect(products.some((p) => p.unit === 'g100' && p.portionGrams)).toBe(true);
    expect(products.some((p) => p.unit === 'litre')).toBe(true);
    const roles = (await db.staffUser.findMany({ where: { groupId: first.groupId } })).map((s) => s.role).sort();
    expect(roles).toEqual(['coordinator', 'delivery_lead', 'operator', 'platform_admin']);
    const d = await db.distribution.findFirstOrThrow({ where: { groupId: first.groupId }, include: { relayPoint: true } });
    expect(d.relayPoint.name).toBe('Épicerie du centre');
    expect(windowState(d, new Date())).toBe('open');

    const second = await seedDemo(db);
    expect(second).toMatchObject({ groupId: first.groupId, createdGroup: false, createdDistribution: false, productsCreated: 0 });
    expect(await counts(first.groupId)).toEqual(after1);
  });

  it('picks the next Friday whose Wednesday 20:00 closing is still ahead', () => {
    // Sunday 29 Nov 2026 → Friday 4 Dec, closing Wednesday 2 Dec 20:00 Paris
    const sunday = nextDemoDistributionTimes(new Date('2026-11-29T12:00:00Z'), 'Europe/Paris');
    expect(sunday.pickupStart.toISOString()).toBe('2026-12-04T15:00:00.000Z');
    expect(sunday.closesAt.toISOString()).toBe('2026-12-02T19:00:00.000Z');
    // Thursday 3 Dec: that Wednesday has passed, so the Friday after
    const thursday = nextDemoDistributionTimes(new Date('2026-12-03T09:00:00Z'), 'Europe/Paris');
    expect(thursday.pickupStart.toISOString()).toBe('2026-12-11T15:00:00.000Z');
    expect(thursday.opensAt.getTime()).toBeLessThanOrEqual(new Date('2026-12-03T09:00:00Z').getTime());
  });
});
