import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from './logger.js';

/**
 * Every error the service expects, by code: one closed list. Code decides, never the message
 * (messages are for logs, in English); `src/i18n/errors.ts` turns a code into French for each
 * audience. Adding a code here without its French sentence does not compile.
 */
export const ERROR_STATUS = {
  invalid_input: 400,
  invalid_phone: 400,
  invalid_time: 400,
  invalid_distribution_times: 400,
  empty_order: 400,
  quantity_out_of_range: 400,
  weight_out_of_range: 400,
  weight_implausible: 400,
  weight_pieces_mismatch: 400,
  not_sold_by_weight: 400,
  line_not_in_order: 400,
  no_address: 400,
  login_incomplete: 400,
  password_too_short: 400,
  producer_required: 400,
  phone_required: 400,
  invalid_time_zone: 400,
  invalid_operator_hours: 400,
  invalid_sender: 400,
  invalid_group_setup: 400,
  self_deactivation: 403,
  already_taken: 409,
  carer_reason_missing: 400,
  not_found: 404,
  forbidden: 403,
  order_window_closed: 409,
  out_of_stock: 409,
  product_unavailable: 409,
  invalid_order_state: 409,
  invalid_distribution_state: 409,
  no_active_order: 409,
  missing_redis: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error the service expects and can explain; its HTTP status follows from its code. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    message: string,
    readonly code: ErrorCode,
    status?: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
    this.status = status ?? ERROR_STATUS[code];
  }
}

export function isAppError(err: unknown, ...codes: ErrorCode[]): err is AppError {
  return err instanceof AppError && (codes.length === 0 || codes.includes(err.code));
}

export class NotFoundError extends AppError {
  constructor(what: string, details?: Record<string, unknown>) {
    super(`${what} not found`, 'not_found', 404, details);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, code: ErrorCode = 'invalid_input') {
    super(message, code, 400, details);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'forbidden') {
    super(message, 'forbidden', 403);
  }
}

/** The one place where errors become HTTP answers. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    void _next;
    if (err instanceof AppError) {
      res.status(err.status).json({ error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) });
      return;
    }
    // a schema that throws (`.parse`) at an edge: the input was wrong, not the service
    if (err instanceof ZodError) {
      res.status(400).json({ error: 'invalid_input', details: { issues: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`) } });
      return;
    }
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status >= 500) log.error({ err, path: req.path }, 'unhandled error');
    res.status(status).json({ error: status >= 500 ? 'internal_error' : 'bad_request' });
  };
}
