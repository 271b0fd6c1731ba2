// What a failed Twilio call means for the message: try again later, or give up and act. Pure.

/** Error codes Twilio documents as temporary (carrier or queue trouble). */
const TEMPORARY_CODES = new Set([30003, 30008, 63018, 20429]);

export type SendFailure =
  | { kind: 'retry'; code: number | null }
  /** the resident sent STOP to this number: mark them opted out */
  | { kind: 'opted_out'; code: number }
  /** not a number that takes SMS (a landline): call instead */
  | { kind: 'landline'; code: number }
  /** no such number */
  | { kind: 'invalid_number'; code: number }
  | { kind: 'permanent'; code: number | null };

/** Reads an error thrown by the twilio SDK (RestException: status + code) or by the network. */
export function classifySendError(err: unknown): SendFailure {
  const e = err as { status?: unknown; code?: unknown };
  const status = typeof e?.status === 'number' ? e.status : null;
  const code = typeof e?.code === 'number' ? e.code : null;
  if (code === 21610) return { kind: 'opted_out', code };
  if (code === 21614) return { kind: 'landline', code };
  if (code === 21211 || code === 21217 || code === 21401) return { kind: 'invalid_number', code };
  if (code !== null && TEMPORARY_CODES.has(code)) return { kind: 'retry', code };
  // no HTTP status at all: the request never got an answer (reset, timeout, DNS)
  if (status === null) return { kind: 'retry', code };
  if (status === 429 || status >= 500) return { kind: 'retry', code };
  return { kind: 'permanent', code };
}
