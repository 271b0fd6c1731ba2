// The order status machine: which move is allowed from where. Pure. Every list of statuses the
// rest of the code needs is named here, once.
export type OrderStatus = 'draft' | 'confirmed' | 'ready' | 'collected' | 'delivered' | 'cancelled';

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  draft: ['confirmed', 'cancelled'],
  confirmed: ['ready', 'collected', 'delivered', 'cancelled'],
  ready: ['collected', 'delivered', 'cancelled'],
  collected: [],
  delivered: [],
  cancelled: [],
};

/** Orders that hold stock and are still to be handed over: "the order in progress". */
export const ACTIVE_STATUSES = ['confirmed', 'ready'] as const satisfies readonly OrderStatus[];

/** Orders that were placed for real and not cancelled: lists, weigh-in, usual basket, reminders. */
export const PLACED_STATUSES = ['confirmed', 'ready', 'collected', 'delivered'] as const satisfies readonly OrderStatus[];

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** Orders that hold stock and count in a distribution's lists. */
export function isActive(status: OrderStatus): boolean {
  return (ACTIVE_STATUSES as readonly OrderStatus[]).includes(status);
}

export function isPlaced(status: OrderStatus): boolean {
  return (PLACED_STATUSES as readonly OrderStatus[]).includes(status);
}
