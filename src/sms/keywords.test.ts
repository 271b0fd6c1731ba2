import { describe, expect, it } from 'vitest';
import { readIntent } from './keywords.js';

describe('SMS keywords', () => {
  it('reads keywords whatever the case and accents', () => {
    expect(readIntent('STOP')).toEqual({ kind: 'stop' });
    expect(readIntent('Arrêt')).toEqual({ kind: 'stop' });
    expect(readIntent('stopall')).toEqual({ kind: 'stop' });
    expect(readIntent('désinscription')).toEqual({ kind: 'stop' });
    expect(readIntent('start')).toEqual({ kind: 'start' });
    expect(readIntent('Aide')).toEqual({ kind: 'help' });
    expect(readIntent('?')).toEqual({ kind: 'help' });
    expect(readIntent('catalogue pain')).toEqual({ kind: 'catalogue', topic: 'pain' });
    expect(readIntent('MENU')).toEqual({ kind: 'catalogue', topic: '' });
    expect(readIntent('suite')).toEqual({ kind: 'next_page' });
    expect(readIntent('Suivi')).toEqual({ kind: 'status' });
    expect(readIntent('où en est ma commande ?')).toEqual({ kind: 'status' });
    expect(readIntent('ANNULER')).toEqual({ kind: 'cancel' });
    expect(readIntent('ANNULER 6')).toEqual({ kind: 'cancel', basket: 6 });
    expect(readIntent('annuler le panier 12')).toEqual({ kind: 'cancel', basket: 12 });
    expect(readIntent('Annuler panier n°3 svp')).toEqual({ kind: 'cancel', basket: 3 });
    expect(readIntent('annuler ma commande')).toEqual({ kind: 'cancel' });
    expect(readIntent('Livraison 3 rue des Lilas')).toEqual({ kind: 'delivery', address: '3 rue des Lilas' });
  });
  it('understands the usual ways of saying yes and no', () => {
    for (const yes of ['OUI', 'oui merci', 'Ok', "d'accord", 'o', 'Oui !', "Oui c'est parfait merci beaucoup", "Oui c'est bon merci beaucoup Madame, bonne journée", 'ok ça me va très bien merci']) {
      expect(readIntent(yes)).toEqual({ kind: 'yes' });
    }
    // a yes with something else asked is not a plain yes
    for (const more of ["oui mais je voudrais aussi des oeufs s'il vous plait", 'oui et 2 baguettes de plus merci beaucoup']) expect(readIntent(more).kind).not.toBe('yes');
    for (const no of ['non', 'NON merci', 'n']) expect(readIntent(no)).toEqual({ kind: 'no' });
  });
  it('reads an opt-out in a resident\'s own words, and only when messages or unsubscribing are named', () => {
    for (const stop of ['Stop svp', 'STOP merci', 'stop sms', 'stop les sms merci', 'Je ne veux plus recevoir de SMS', 'je ne veux plus recevoir vos messages merci',
      "Arrêtez de m'envoyer des SMS svp", 'plus de sms svp', 'désabonnement', 'me désinscrire', 'désinscrivez-moi svp', 'je souhaite ne plus recevoir de messages']) {
      expect(readIntent(stop), stop).toEqual({ kind: 'stop' });
    }
    for (const not of ['stop les croissants, 2 baguettes', 'je ne veux plus le pain de campagne', 'je ne veux plus rien', "je n'ai plus reçu de SMS pour ma commande", 'arrêtez les carottes', 'plus de pain svp', 'merci pour vos messages']) {
      expect(readIntent(not).kind, not).not.toBe('stop');
    }
  });
  it('reads "what did I order" as the status of their order', () => {
    for (const status of ["c'est quoi ma commande", "qu'est-ce que j'ai commandé ?", 'ma commande ?', 'Où en est ma commande ?', 'mon panier ?']) expect(readIntent(status), status).toEqual({ kind: 'status' });
    expect(readIntent('ma commande: 2 baguettes').kind).not.toBe('status');
  });
  it('reads anything else as an order, and STOP inside a sentence is not an opt-out', () => {
    expect(readIntent('2 baguettes')).toEqual({ kind: 'text', text: '2 baguettes' });
    expect(readIntent('stop les croissants, 2 baguettes')).toMatchObject({ kind: 'text' });
    expect(readIntent('oui 2 baguettes et 3 croissants svp')).toMatchObject({ kind: 'text' });
    expect(readIntent('2')).toEqual({ kind: 'number', value: 2 });
  });
});
