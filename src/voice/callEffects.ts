// The durable things a call does (an order, a task, a delivery request), carried out through the
// domain core in the database: the only moments a call in progress touches it.
import { openAndNextAt, type CatalogCache } from '../catalog/openCatalog.js';
import { spokenPickup } from '../i18n/voice.js';
import { openCallTask } from '../orders/callTasks.js';
import { ensureCustomerByPhone, usualDelivery } from '../orders/customers.js';
import { OrderWindowClosedError, OutOfStockError } from '../orders/errors.js';
import type { OrderService } from '../orders/orderService.js';
import { activeOrderOf } from '../orders/readModels.js';
import type { Tx } from '../platform/db/client.js';
import { withSavepoint } from '../platform/db/savepoint.js';
import type { Effect, EffectOutcome } from './menu.js';

export interface Recording {
  recordingSid?: string;
  recordingUrl?: string;
  recordingSeconds?: number;
}

/** Who is calling, as the effects need it; `customerId` is set once the caller becomes a customer. */
export interface CallParty {
  callSessionId: string;
  groupId: string;
  fromPhone: string;
  customerId: string | null;
  timeZone: string;
}

/** How an effect is remembered in the call's summary. Pure. */
export function effectLabel(effect: Effect, outcome: EffectOutcome): string | null {
  if (effect.kind === 'task') return `task:${effect.taskKind}`;
  if (effect.kind === 'request_delivery') return 'delivery_requested';
  return outcome.kind === 'order_placed' ? 'order_placed' : null;
}

export async function runEffect(
  tx: Tx,
  deps: { orders: OrderService; catalogs: CatalogCache; now: Date },
  effect: Effect,
  party: CallParty,
  rec: Recording,
): Promise<{ outcome: EffectOutcome; customerId: string | null }> {
  if (effect.kind === 'task') {
    // the recording's status callback may have come first and opened a task: it gets its kind
    await openCallTask(tx, { groupId: party.groupId, kind: effect.taskKind, callerPhone: party.fromPhone, customerId: party.customerId, callSessionId: party.callSessionId, ...rec });
    return { outcome: { kind: 'done' }, customerId: party.customerId };
  }
  const customerId = party.customerId ?? (await ensureCustomerByPhone(tx, party.groupId, party.fromPhone, 'voice'));
  // the call's record names its customer from now on (the operator's task list, an erasure)
  if (!party.customerId) await tx.callSession.update({ where: { id: party.callSessionId }, data: { customerId } });
  if (effect.kind === 'request_delivery') {
    const order = await activeOrderOf(tx, customerId);
    if (order) await deps.orders.requestDelivery(order.id, effect.address, 'demandé par téléphone', tx);
    return { outcome: { kind: 'done' }, customerId };
  }
  // from the cached catalogue: placing the order checks the window again, under its lock
  const { open: distribution } = openAndNextAt(await deps.catalogs(tx, party.groupId), deps.now);
  if (!distribution) return { outcome: { kind: 'window_closed' }, customerId };
  // read before the order: how this caller's baskets reach them (home delivery when set so)
  const resident = await tx.customer.findUniqueOrThrow({ where: { id: customerId }, select: { deliveryByDefault: true, address: true } });
  const bringHome = usualDelivery(resident) ? resident.address : null;
  try {
    // into the basket they already have for this distribution, if any (one basket each)
    const placed = await withSavepoint(tx, () =>
      deps.orders.placeOrAdd({ groupId: party.groupId, customerId, distributionId: distribution.id, channel: 'voice', lines: effect.lines }, tx),
    );
    // a new basket of a resident set to home delivery goes to the delivery lead, as asked in a text would
    if (!placed.added && bringHome) await deps.orders.requestDelivery(placed.id, bringHome, undefined, tx);
    const window = distribution.deliveryStart && distribution.deliveryEnd ? spokenPickup(distribution.deliveryStart, distribution.deliveryEnd, party.timeZone) : null;
    return {
      outcome: {
        kind: 'order_placed',
        basket: placed.basketNumber ?? 0,
        totalCents: placed.estimatedCents,
        added: placed.added,
        estimated: placed.added && placed.weighed,
        delivery: !placed.added && bringHome ? { window } : null,
        pickup: spokenPickup(distribution.pickupStart, distribution.pickupEnd, party.timeZone),
        place: distribution.relayPoint.name,
      },
      customerId,
    };
  } catch (err) {
    if (err instanceof OutOfStockError) return { outcome: { kind: 'out_of_stock', productName: err.productName, remaining: err.remaining }, customerId };
    if (err instanceof OrderWindowClosedError) return { outcome: { kind: 'window_closed' }, customerId };
    throw err;
  }
}
