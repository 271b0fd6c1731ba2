import { describe, expect, it } from 'vitest';
import { demoCatalogProducts } from '../../scripts/eval/conversations.js';
import { demoReaderProducts } from '../../scripts/eval/corpus.js';
import { createOrderReader } from '../catalog/reading/reader.js';
import { createRequestReader } from '../catalog/reading/requests.js';
import { toGsm7 } from '../i18n/gsm7.js';
import { draftReply, fits, priceReply, unknownPrefix, withinBudget } from './answers.js';
import { readSmsIntent, sameOrder, sameText } from './intents.js';
import { countSegments } from './segments.js';

const products = demoCatalogProducts();
const pickup = { pickup: 'vendredi 4 décembre 16h-19h', place: 'Épicerie du centre', delivery: null };

describe('SMS answers within budget', () => {
  it('lists a short basket line by line', () => {
    const reply = draftReply([{ productId: '1', quantity: 2, requestedGrams: null, notes: [] }], products, pickup);
    expect(reply).toBe('Vous commandez:\n2 Baguette tradition 2,40 €\nRetrait vendredi 4 décembre 16h-19h, Épicerie du centre.\nRépondez OUI pour confirmer ou NON pour annuler.');
    // one line is its own total: the reply fits one SMS; two lines keep the total under them
    expect(countSegments(toGsm7(reply)).segments).toBe(1);
    const two = draftReply([{ productId: '1', quantity: 2, requestedGrams: null, notes: [] }, { productId: '16', quantity: 1, requestedGrams: null, notes: [] }], products, pickup);
    expect(two).toContain(' 2,40 €\nTotal 4,80 €. Retrait vendredi');
  });

  it('summarises a long basket with its count, total and SUIVI, in 3 segments at most', () => {
    const lines = [...products.keys()].map((id) => ({ productId: id, quantity: 2, requestedGrams: null, notes: [] }));
    const reply = draftReply(lines, products, { ...pickup, delivery: 'samedi 5 décembre 9h-12h' });
    expect(reply).toMatch(/^Vous commandez 26 produits, total environ \d+,\d\d €\. Livraison à domicile samedi 5 décembre 9h-12h\.\nSUIVI pour le détail\./);
    expect(countSegments(toGsm7(reply)).segments).toBeLessThanOrEqual(3);
  });

  it('cuts anything longer at a line and says so', () => {
    const long = Array.from({ length: 100 }, (_, i) => `ligne ${i} `.repeat(5)).join('\n');
    const cut = withinBudget(long);
    expect(fits(cut)).toBe(true);
    expect(cut.endsWith('...')).toBe(true);
    expect(fits(withinBudget('x'.repeat(5000)))).toBe(true);
    expect(withinBudget('Merci')).toBe('Merci');
  });

  it('gives prices with their unit, and names at most three unknown phrases', () => {
    expect(priceReply([{ ...products.get('10')! }], products)).toBe('Pommes: 2,80 € le kg, environ 0,50 € pièce. Pour commander, envoyez votre liste.');
    expect(unknownPrefix(['a', 'b', 'c', 'd', 'e'])).toBe('Pas au catalogue: a, b, c, 2 autres.\n');
  });

  it('tells a re-sent text by its words, not its case, accents or spacing', () => {
    expect(sameText('2 Baguettes  tradition SVP', '2 baguettes tradition svp')).toBe(true);
    expect(sameText('2 baguettes', 'encore 2 baguettes')).toBe(false);
    expect(sameText('', '  ')).toBe(false);
  });

  it('tells a re-sent order by the lines it reads to, whatever the pleasantries', () => {
    const readRequest = createRequestReader(createOrderReader(demoReaderProducts()));
    const resent = (before: string, now: string) => {
      const intent = readSmsIntent(now, readRequest, { pending: true });
      return intent.kind === 'order' && sameOrder(before, intent, now, readRequest);
    };
    expect(resent('bonjour 2 baguettes merci', '2 baguettes svp')).toBe(true);
    expect(resent('Bonjour, 2 baguettes et 1 kg de pommes. Merci !', '1 kilo de pommes et 2 baguettes svp')).toBe(true);
    expect(resent('2 baguettes', '2 Baguettes')).toBe(true);
    // other lines, or more asked for: a new order
    expect(resent('bonjour 2 baguettes merci', '3 baguettes svp')).toBe(false);
    expect(resent('2 baguettes', '2 baguettes et 1 kg de pommes')).toBe(false);
    expect(resent('2 baguettes', 'encore 2 baguettes')).toBe(false);
    expect(resent('2 baguettes', '2 autres baguettes svp')).toBe(false);
  });
});
