import pino, { type Logger } from 'pino';

export type { Logger };

// A phone number: +33612345678, 06 12 34 56 78, 06.12.34.56.78 … (8+ digits, optional separators)
const PHONE_PATTERN = /(?<![\w])(\+?\d[\d .-]{6,}\d)(?![\w])/g;

/** Masks a phone number, keeping the country prefix and last two digits: +33•••••••78. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 6) return phone;
  const head = phone.startsWith('+') ? `+${digits.slice(0, 2)}` : digits.slice(0, 2);
  return `${head}${'•'.repeat(Math.max(3, digits.length - 4))}${digits.slice(-2)}`;
}

/** Replaces every phone number inside free text (log messages, URLs). */
export function redactPhones(text: string): string {
  return text.replace(PHONE_PATTERN, (m) => (m.replace(/\D/g, '').length >= 8 ? maskPhone(m) : m));
}

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactPhones(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  // only plain objects are copied: an Error, or the request and response pino-http hands to its
  // serializers, lose their prototype's getters in a copy (headersSent: the status code read null)
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'panier' },
      redact: {
        paths: [
          'req.headers["x-twilio-signature"]',
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.authToken',
          '*.password',
          '*.passwordHash',
        ],
        censor: '[redacted]',
      },
      formatters: {
        log: (obj) => redactDeep(obj) as Record<string, unknown>,
      },
      hooks: {
        // messages are free text: mask phone numbers in them too
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? redactPhones(a) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
