// Control characters at the edge. PostgreSQL text cannot hold NUL ("invalid byte sequence": a
// 500 deep inside a transaction), and no identifier, phone number or form field legitimately
// carries one: they are refused where they come in, before any route runs.
import type { NextFunction, Request, Response } from 'express';
import { ValidationError } from './errors.js';

// C0 controls and DEL, except tab, line feed and carriage return (a textarea sends those)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** True when a string anywhere inside `value` (object, array, nesting) holds a control character. Pure. */
export function hasControlCharacters(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return CONTROL.test(value);
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  return Object.entries(value as Record<string, unknown>).some(([k, v]) => CONTROL.test(k) || hasControlCharacters(v, depth + 1));
}

/** The text without its control characters (tab and line breaks kept). Pure. */
export function withoutControlCharacters(text: string): string {
  return text.replace(CONTROL_ALL, '');
}

/** The decoded path, or null when it does not decode (a malformed %-escape). */
function decodedPath(req: Request): string | null {
  try {
    return decodeURIComponent(req.path);
  } catch {
    return null;
  }
}

/**
 * Refuses a request whose path, query or form body holds a control character (or a path that does
 * not decode). `freeText` names body fields that are someone's own words (an SMS body, a speech
 * transcript): broken phones put stray controls in those, so they are cleaned, not refused.
 */
export function refuseControlCharacters(opts: { freeText?: readonly string[] } = {}) {
  const freeText = new Set(opts.freeText ?? []);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const path = decodedPath(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body && typeof body === 'object') {
      for (const field of freeText) if (typeof body[field] === 'string') body[field] = withoutControlCharacters(body[field]);
    }
    if (path === null || CONTROL.test(path) || hasControlCharacters(req.query) || hasControlCharacters(body)) {
      next(new ValidationError('control character in the request'));
      return;
    }
    next();
  };
}
