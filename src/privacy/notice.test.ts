import { describe, expect, it } from 'vitest';
import { toGsm7 } from '../i18n/gsm7.js';
import { privacyText } from '../i18n/privacy.js';
import { countSegments } from '../sms/segments.js';
import { appendNotice } from './notice.js';

describe('the first-contact notice', () => {
  const notice = privacyText.firstContactSms('03 86 22 01 01');

  it('is one GSM-7 line of at most 70 characters', () => {
    expect(toGsm7(notice)).toBe(notice);
    expect(notice).toBe('Vos données servent à vos commandes. Infos : 03 86 22 01 01 ou DONNEES');
    expect(notice.length).toBeLessThanOrEqual(70);
    expect(privacyText.firstContactSms(null)).toBe('Vos données servent à vos commandes. Infos : DONNEES');
  });

  it('goes on the last line when the reply stays within 3 segments', () => {
    const reply = 'x'.repeat(300);
    const out = appendNotice(reply, notice);
    expect(out).toBe(`${reply}\n${notice}`);
    expect(countSegments(out!).segments).toBe(3);
  });

  it('waits for the next reply when it would make a fourth segment', () => {
    const reply = 'x'.repeat(400);
    expect(countSegments(reply).segments).toBe(3);
    expect(appendNotice(reply, notice)).toBeNull();
  });

  it('counts the GSM-7 form: a reply with ê is sent as e, not as UCS-2', () => {
    expect(appendNotice(`Prêt ${'x'.repeat(300)}`, notice)).not.toBeNull();
  });
});
