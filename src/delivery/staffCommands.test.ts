import { describe, expect, it } from 'vitest';
import { communeOf, firstName, looksLikeCourierCommand, pickCourier, readCourierCommand, readLeadCommand } from './staffCommands.js';

describe('delivery lead commands', () => {
  it.each([
    ['A 12 PAUL', { kind: 'assign', basket: 12, courier: { byName: 'paul' } }],
    ['a12 paul', { kind: 'assign', basket: 12, courier: { byName: 'paul' } }],
    ['A 12 2', { kind: 'assign', basket: 12, courier: { byNumber: 2 } }],
    ['attribuer 7 à Hélène', { kind: 'assign', basket: 7, courier: { byName: 'helene' } }],
    ['A 3 Marie Claire', { kind: 'assign', basket: 3, courier: { byName: 'marie claire' } }],
    ['LISTE', { kind: 'list' }],
    [' liste ', { kind: 'list' }],
    ['COURSIERS', { kind: 'couriers' }],
    ['Livreurs', { kind: 'couriers' }],
    ['A 12', { kind: 'help' }],
    ['A PAUL', { kind: 'help' }],
    ['bonjour', { kind: 'help' }],
    ['', { kind: 'help' }],
  ])('%s', (text, expected) => {
    expect(readLeadCommand(text)).toEqual(expected);
  });
});

describe('courier commands', () => {
  it.each([
    ['OK 12', { kind: 'accept', basket: 12 }],
    ['ok12', { kind: 'help' }],
    ['LIVRE 12', { kind: 'delivered', basket: 12 }],
    ['Livré 12', { kind: 'delivered', basket: 12 }],
    ['ECHEC 12 absent', { kind: 'failed', basket: 12, reason: 'absent' }],
    ['échec 12: mauvaise adresse', { kind: 'failed', basket: 12, reason: 'mauvaise adresse' }],
    ['ECHEC 12', { kind: 'failed', basket: 12, reason: 'non précisée' }],
    ['LIVRE', { kind: 'help' }],
  ])('%s', (text, expected) => {
    expect(readCourierCommand(text)).toEqual(expected);
  });

  it('tells a command from a courier texting as a resident', () => {
    expect(looksLikeCourierCommand('OK 12')).toBe(true);
    expect(looksLikeCourierCommand('livré 4')).toBe(true);
    expect(looksLikeCourierCommand('2 baguettes')).toBe(false);
    expect(looksLikeCourierCommand('SUIVI')).toBe(false);
  });
});

describe('picking a courier', () => {
  const couriers = [{ name: 'Hélène Dubois' }, { name: 'Paul Martin' }, { name: 'Paul Petit' }, { name: 'Sophie' }];
  it('by number in the list, by exact or first name, accents aside', () => {
    expect(pickCourier(couriers, { byNumber: 4 })).toEqual({ found: { name: 'Sophie' } });
    expect(pickCourier(couriers, { byNumber: 9 })).toEqual({ none: true });
    expect(pickCourier(couriers, { byName: 'helene' })).toEqual({ found: { name: 'Hélène Dubois' } });
    expect(pickCourier(couriers, { byName: 'paul martin' })).toEqual({ found: { name: 'Paul Martin' } });
    expect(pickCourier(couriers, { byName: 'petit' })).toEqual({ found: { name: 'Paul Petit' } });
    expect(pickCourier(couriers, { byName: 'paul' })).toEqual({ ambiguous: [{ name: 'Paul Martin' }, { name: 'Paul Petit' }] });
    expect(pickCourier(couriers, { byName: 'zoe' })).toEqual({ none: true });
  });
});

describe('what a resident and the lead are told', () => {
  it('first names only, communes from addresses', () => {
    expect(firstName('Paul Martin')).toBe('Paul');
    expect(communeOf('3 rue des Forges, 58140 Lormes')).toBe('Lormes');
    expect(communeOf('Le Bourg, Bazoches')).toBe('Bazoches');
    expect(communeOf('ferme du haut')).toBeNull();
  });
});
