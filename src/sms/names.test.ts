import { describe, expect, it } from 'vitest';
import { nameGivenIn } from './names.js';

describe('a name a resident gives in passing', () => {
  it('reads the name of a newcomer who introduces themself, up to where the order begins', () => {
    expect(nameGivenIn('Bonjour je suis Mme Roux je voudrais deux kilos de pommes de terre', { awaitingName: false })).toBe('Mme Roux');
    expect(nameGivenIn("Bonjour, c'est Léa Martin. 2 baguettes svp", { awaitingName: false })).toBe('Léa Martin');
    expect(nameGivenIn('ici M. Leroy, 6 oeufs merci', { awaitingName: false })).toBe('M. Leroy');
    expect(nameGivenIn('Bonjour je suis Monsieur Blanc', { awaitingName: false })).toBe('Monsieur Blanc');
    expect(nameGivenIn('bonjour je suis mme Roux', { awaitingName: false })).toBe('mme Roux');
    expect(nameGivenIn("Je m'appelle Jeanne Roux", { awaitingName: true })).toBe('Jeanne Roux');
    expect(nameGivenIn("je m'appelle Colette Morel, je vous l'ai dit", { awaitingName: false })).toBe('Colette Morel');
  });
  it('reads a name given with a yes, when the name was asked', () => {
    expect(nameGivenIn('Oui. Mme Durand', { awaitingName: true })).toBe('Mme Durand');
    expect(nameGivenIn('oui merci, Jeanne Petit', { awaitingName: true })).toBe('Jeanne Petit');
    expect(nameGivenIn('OK Mr Leroy', { awaitingName: true })).toBe('Mr Leroy');
  });
  it('takes nothing that is not a name', () => {
    for (const text of ['je suis la fille de Mme Perrin, 2 baguettes', 'je suis malade, pouvez vous livrer', "c'est pour papa: un poulet", 'Oui merci beaucoup', 'Oui Super', 'ok Parfait merci', 'Oui. 2 baguettes', 'je suis Dispo vendredi', "c'est Bon"]) {
      expect(nameGivenIn(text, { awaitingName: true }), text).toBeNull();
    }
    // without a civility, a yes followed by a word is no name unless the name was asked
    expect(nameGivenIn('Oui Jeanne Petit', { awaitingName: false })).toBeNull();
  });
});
