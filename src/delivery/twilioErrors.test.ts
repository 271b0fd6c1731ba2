import { describe, expect, it } from 'vitest';
import { classifySendError } from './twilioErrors.js';

describe('Twilio send errors', () => {
  it.each([
    [{ status: 429, code: 20429 }, 'retry'],
    [{ status: 500, code: 20500 }, 'retry'],
    [{ status: 503 }, 'retry'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'retry'],
    [{ status: 400, code: 30003 }, 'retry'],
    [{ status: 400, code: 21610 }, 'opted_out'],
    [{ status: 400, code: 21614 }, 'landline'],
    [{ status: 400, code: 21211 }, 'invalid_number'],
    [{ status: 400, code: 30006 }, 'permanent'],
    [{ status: 401, code: 20003 }, 'permanent'],
  ])('%o → %s', (err, kind) => {
    expect(classifySendError(err).kind).toBe(kind);
  });
});
