import type { ErrorRequestHandler } from 'express';
import type { Logger } from './logger.js';

/** An error the service expects and can explain; `status` is its HTTP mapping. */
export class AppError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, details?: Record<string, unknown>) {
    super(`${what} not found`, 'not_found', 404, details);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 'invalid_input', 400, details);
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
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status >= 500) log.error({ err, path: req.path }, 'unhandled error');
    res.status(status).json({ error: status >= 500 ? 'internal_error' : 'bad_request' });
  };
}
