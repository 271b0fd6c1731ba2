// An inbound SMS webhook's fields, validated at the edge: the webhook stores them (accept.ts), the
// journal keeps them when the database cannot (journal.ts).
import { z } from 'zod';

// Twilio's own shapes: an SM/MM sid, the group's number in E.164; `From` is a number, a short code
// or an alphanumeric sender ID (letters, digits, a few separators), never more than a few dozen
// characters. Anything else did not come from Twilio as it documents its webhooks: 400.
export const InboundSms = z.object({
  MessageSid: z.string().regex(/^[A-Za-z0-9]{2,64}$/),
  From: z.string().trim().regex(/^\+?[\p{L}\p{N} ._&'-]{1,32}$/u),
  To: z.string().trim().regex(/^\+[1-9]\d{6,14}$/),
  // the body is the resident's own words (control characters were cleaned at the edge)
  Body: z.string().max(5000).default(''),
});

export type InboundSmsFields = z.infer<typeof InboundSms>;
