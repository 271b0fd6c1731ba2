import { describe, expect, it } from 'vitest';
import { privacyText } from '../i18n/privacy.js';
import { toGsm7 } from '../i18n/gsm7.js';
import { countSegments } from '../sms/segments.js';
import { isDataRequest } from './dataRequest.js';
import { DEFAULT_PRIVACY_SETTINGS } from './settings.js';

describe('a resident asking about their data by SMS', () => {
  it.each(['DONNEES', 'données', 'Mes données', 'mes donnees svp', 'RGPD', 'donnees ?'])('"%s" is a request', (text) => {
    expect(isDataRequest(text)).toBe(true);
  });
  it.each(['2 baguettes', 'mes courses', 'je voudrais des données sur les pommes de mon jardin', '', 'OUI'])('"%s" is not', (text) => {
    expect(isDataRequest(text)).toBe(false);
  });
  it('is answered in at most 3 GSM-7 segments', () => {
    const reply = toGsm7(privacyText.dataRequestReply(DEFAULT_PRIVACY_SETTINGS, '03 86 22 01 01'));
    expect(countSegments(reply)).toEqual({ encoding: 'GSM-7', segments: 2 });
  });
});
