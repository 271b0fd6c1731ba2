// Read models every door shares, so that "the order in progress" or "the basket list" means one
// thing whether a resident texts, calls, or the relay shop prints its list.
import type { Db, Prisma, Tx } from '../platform/db/client.js';
import { ACTIVE_STATUSES, PLACED_STATUSES } from './status.js';

/** Distributions whose baskets are still to be handed over. */
export const UPCOMING_DISTRIBUTION_STATUSES = ['scheduled', 'closed'] as const;
const UPCOMING_DISTRIBUTION = { status: { in: [...UPCOMING_DISTRIBUTION_STATUSES] } };

const ACTIVE_INCLUDE = {
  distribution: { include: { relayPoint: true } },
  lines: { select: { variableWeight: true, quantity: true } },
  delivery: { select: { status: true, address: true } },
} as const;

/**
 * A resident's orders in progress (confirmed or ready, for a distribution not yet done nor
 * cancelled), the soonest pickup first. Optionally those of one distribution.
 */
export function activeOrdersOf(db: Db | Tx, customerId: string, opts: { distributionId?: string } = {}) {
  return db.order.findMany({
    where: {
      customerId,
      status: { in: [...ACTIVE_STATUSES] },
      distribution: UPCOMING_DISTRIBUTION,
      ...(opts.distributionId ? { distributionId: opts.distributionId } : {}),
    },
    include: ACTIVE_INCLUDE,
    orderBy: [{ distribution: { pickupStart: 'asc' } }, { createdAt: 'asc' }],
  });
}

/** The order in progress a resident means when they say "ma commande": the soonest to hand over. */
export async function activeOrderOf(db: Db | Tx, customerId: string, opts: { distributionId?: string } = {}) {
  const [first] = await activeOrdersOf(db, customerId, opts);
  return first ?? null;
}

export type ActiveOrder = NonNullable<Awaited<ReturnType<typeof activeOrderOf>>>;

/** The last order a resident really placed (their usual basket), with its lines and products. */
export function lastPlacedOrderOf(db: Db | Tx, customerId: string) {
  return db.order.findFirst({
    where: { customerId, status: { in: [...PLACED_STATUSES] } },
    orderBy: { confirmedAt: 'desc' },
    include: { lines: { include: { product: true } } },
  });
}

/**
 * The basket list of a distribution: every order that was confirmed (it has a basket number),
 * cancelled ones included so a basket number never silently disappears; drafts never.
 */
export function basketListWhere(distributionId: string): Prisma.OrderWhereInput {
  return { distributionId, basketNumber: { not: null }, status: { not: 'draft' } };
}

/** Orders that count in a distribution's totals and preparation: placed, not cancelled. */
export function placedOrdersWhere(distributionId: string): Prisma.OrderWhereInput {
  return { distributionId, status: { in: [...PLACED_STATUSES] } };
}

/** `status` filter of orders placed for real (not drafts, not cancelled). */
export function placedStatusFilter() {
  return { in: [...PLACED_STATUSES] };
}
