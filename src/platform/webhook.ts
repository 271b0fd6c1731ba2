import type { Response } from 'express';
import { z } from 'zod';
import { ValidationError } from './errors.js';

/** Parses a webhook body at the edge; a malformed one is a 400 with what was wrong. */
export function parseWebhook<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new ValidationError('malformed Twilio webhook', { issues: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
  }
  return result.data;
}

export function sendTwiml(res: Response, twiml: { toString(): string }): void {
  res.status(200).type('text/xml').send(twiml.toString());
}
