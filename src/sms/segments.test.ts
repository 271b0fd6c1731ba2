import { describe, expect, it } from 'vitest';
import { toGsm7 } from '../i18n/gsm7.js';
import { countSegments } from './segments.js';

describe('SMS segments', () => {
  it('counts GSM-7 texts in 160 / 153 characters', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });
  it('counts the euro sign as two characters', () => {
    expect(countSegments('a'.repeat(158) + '€')).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('a'.repeat(159) + '€')).toEqual({ encoding: 'GSM-7', segments: 2 });
  });
  it('switches to UCS-2 (70 characters) for ê, ç, œ and typographic quotes', () => {
    for (const ch of ['ê', 'â', 'ô', 'î', 'û', 'ç', 'œ', '’', '«']) expect(countSegments(`a${ch}`).encoding).toBe('UCS-2');
    expect(countSegments('ô'.repeat(70)).segments).toBe(1);
    expect(countSegments('ô'.repeat(71)).segments).toBe(2);
  });
});

describe('GSM-7 transliteration', () => {
  it('keeps the French letters GSM-7 has and rewrites the others', () => {
    expect(toGsm7('Pâté, crème brûlée, œufs, ça « marche » l’été à Noël… 1 200 €')).toBe('Paté, crème brulée, oeufs, ca " marche " l\'été à Noel... 1 200 €');
    expect(countSegments(toGsm7('fenêtre déjà ça œ ’')).encoding).toBe('GSM-7');
  });
  it('drops emoji and symbols GSM-7 cannot carry', () => {
    expect(toGsm7('Merci 🙂 ✓')).toBe('Merci  ');
  });
});

describe('the GSM-7 fast path', () => {
  it('counts as the segment calculator does, for any GSM-7 text', async () => {
    const fc = (await import('fast-check')).default;
    const { SegmentedMessage } = await import('sms-segments-calculator');
    const alphabet = [...'@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 700 }), (chars) => {
        const text = chars.join('');
        const reference = new SegmentedMessage(text);
        expect(countSegments(text)).toEqual({ encoding: 'GSM-7', segments: Math.max(1, reference.segmentsCount) });
      }),
      { numRuns: 300 },
    );
  });
});
