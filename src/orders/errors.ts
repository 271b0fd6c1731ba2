import { AppError } from '../platform/errors.js';

/** The distribution does not take orders now (not yet open, closed, cancelled). */
export class OrderWindowClosedError extends AppError {
  constructor(readonly distributionId: string, readonly state: string) {
    super(`distribution ${distributionId} does not take orders (${state})`, 'order_window_closed', 409, { distributionId, state });
  }
}

export class OutOfStockError extends AppError {
  constructor(readonly productId: string, readonly productName: string, readonly remaining: number) {
    super(`not enough ${productName} left (${remaining} remaining)`, 'out_of_stock', 409, { productId, productName, remaining });
  }
}

export class ProductUnavailableError extends AppError {
  constructor(readonly productId: string, readonly productName?: string) {
    super(`product ${productId} is not available in this group`, 'product_unavailable', 409, { productId, productName });
  }
}

export class OrderStateError extends AppError {
  constructor(readonly orderId: string, from: string, to: string) {
    super(`order ${orderId} cannot go from ${from} to ${to}`, 'invalid_order_state', 409, { orderId, from, to });
  }
}
