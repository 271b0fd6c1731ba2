import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPhone, redactPhones } from './logger.js';

describe('phone redaction', () => {
  it('masks a number, keeping its prefix and last two digits', () => {
    expect(maskPhone('+33612345678')).toBe('+33•••••••78');
    expect(maskPhone('0612345678')).toBe('06••••••78');
  });
  it('masks numbers inside free text, whatever their spacing', () => {
    expect(redactPhones('appel de +33612345678 vers 06 12 34 56 78')).toBe('appel de +33•••••••78 vers 06••••••78');
    expect(redactPhones('commande 1234 pour 2 baguettes')).toBe('commande 1234 pour 2 baguettes');
  });
  it('never writes a phone number or a Twilio signature to the log', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _e, done) { lines.push(chunk.toString()); done(); } });
    const log = createLogger('info', sink);
    log.info({ from: '+33612345678', nested: { to: ['+33386220101'] }, req: { headers: { 'x-twilio-signature': 'abc=' } } }, 'SMS from +33612345678');
    const out = lines.join('');
    expect(out).not.toContain('612345678');
    expect(out).not.toContain('386220101');
    expect(out).not.toContain('abc=');
    expect(out).toContain('+33•••••••78');
  });
});
