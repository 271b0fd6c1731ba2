import { describe, expect, it } from 'vitest';
import { smsFr } from '../i18n/fr.js';
import { countSegments, nonGsm7Characters } from './segments.js';

describe('SMS segments', () => {
  it('counts GSM-7 texts in 160 / 153 septets', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });
  it('counts the euro sign as two septets', () => {
    expect(countSegments('1,20 €')).toMatchObject({ encoding: 'GSM-7', units: 7 });
  });
  it('keeps French letters that GSM-7 has (é è à ù É Ç)', () => {
    expect(countSegments('Répondez à ce numéro, où voulez-vous être livré ? Ç É').encoding).toBe('UCS-2');
    expect(countSegments('Répondez à ce numéro, où voulez-vous livrer ? Ç É').encoding).toBe('GSM-7');
  });
  it('switches to UCS-2 for ê, â, ô, ç, œ and typographic quotes', () => {
    for (const ch of ['ê', 'â', 'ô', 'î', 'û', 'ç', 'œ', '’', '«']) expect(countSegments(`a${ch}`).encoding).toBe('UCS-2');
    expect(countSegments('ô'.repeat(70)).segments).toBe(1);
    expect(countSegments('ô'.repeat(71)).segments).toBe(2);
    expect(nonGsm7Characters('fenêtre déjà ça')).toEqual(['ê', 'ç']);
  });
  it('keeps the holding reply in GSM-7 and one segment', () => {
    expect(countSegments(smsFr.holdingReply('Panier de Lormes'))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});
