// The order status machine: which move is allowed from where. Pure.
export type OrderStatus = 'draft' | 'confirmed' | 'ready' | 'collected' | 'delivered' | 'cancelled';

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  draft: ['confirmed', 'cancelled'],
  confirmed: ['ready', 'collected', 'delivered', 'cancelled'],
  ready: ['collected', 'delivered', 'cancelled'],
  collected: [],
  delivered: [],
  cancelled: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** Orders that hold stock and count in a distribution's lists. */
export function isActive(status: OrderStatus): boolean {
  return status === 'confirmed' || status === 'ready';
}
