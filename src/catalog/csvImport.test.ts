import { describe, expect, it } from 'vitest';
import { parseCatalogCsv, parsePriceCents, parseUnit, parseVatBp } from './csvImport.js';

const HEADER = 'producer;code;name;category;unit;price;variable_weight;multi_weigh;portion_g;pack_size;average_weight_g;stock;aliases;vat';

describe('catalogue CSV', () => {
  it('reads our format with ; separators, a BOM, French decimals and accents', () => {
    const text = '\uFEFF' + [HEADER, 'Boulangerie;1;Baguette tradition;Pain;pièce;1,20;;;;;;40;baguette|tradi;5,5', 'Fromagerie;20;Comté;Fromages;100 g;2.60;oui;non;200;;;;comte;'].join('\r\n');
    const parsed = parseCatalogCsv(text);
    expect(parsed.rejections).toEqual([]);
    expect(parsed.format).toBe('panier');
    expect(parsed.rows).toHaveLength(2);
    expect(parsed.rows[0]).toMatchObject({ line: 2, producer: 'Boulangerie', code: 1, name: 'Baguette tradition', unit: 'piece', priceCents: 120, stock: 40, aliases: ['baguette', 'tradi'], vatRateBp: 550 });
    expect(parsed.rows[1]).toMatchObject({ line: 3, code: 20, unit: 'g100', priceCents: 260, variableWeight: true, portionGrams: 200 });
  });

  it('reads , separated files', () => {
    const text = ['producer,code,name,category,unit,price', 'Ferme,30,Poulet,Volailles,kg,"11,50"'].join('\n');
    const parsed = parseCatalogCsv(text);
    expect(parsed.rejections).toEqual([]);
    expect(parsed.rows[0]).toMatchObject({ unit: 'kg', priceCents: 1150 });
  });

  it('forces weighing for multi-weigh products', () => {
    const parsed = parseCatalogCsv([HEADER, 'Ferme;30;Poulet;Volailles;kg;11,50;0;1;;;1800;;;'].join('\n'));
    expect(parsed.rows[0]).toMatchObject({ variableWeight: true, multiWeigh: true, averageWeightGrams: 1800 });
  });

  it('rejects bad rows with their line number and reason', () => {
    const text = [
      HEADER,
      'Ferme;1;Pain;Pain;piece;1,20;;;;;;;;',
      'Ferme;2;Savon;Hygiene;boite;3;;;;;;;;',
      'Ferme;3;Miel;Epicerie;piece;cher;;;;;;;;',
      'Ferme;1;Doublon;Pain;piece;1;;;;;;;;',
      'Ferme;4;Sel;Epicerie;piece;1;peut-etre;;;;;;;',
      ';5;Sans producteur;Epicerie;piece;1;;;;;;;;',
      'Ferme;6;Tomates;Legumes;piece;2;1;;;;;;;',
    ].join('\n');
    const parsed = parseCatalogCsv(text);
    expect(parsed.rows.map((r) => r.line)).toEqual([2]);
    expect(parsed.rejections).toEqual([
      { line: 3, reason: 'unité inconnue "boite" (piece, kg, 100g ou litre)' },
      { line: 4, reason: 'prix "cher" : pas un montant en euros' },
      { line: 5, reason: 'code 1 déjà utilisé ligne 2' },
      { line: 6, reason: 'variable_weight "peut-etre" : oui ou non attendu (0/1, oui/non)' },
      { line: 7, reason: 'producer est vide' },
      { line: 8, reason: 'seuls les produits vendus au kilo ou aux 100 g sont pesés' },
    ]);
  });

  it('says which columns are missing', () => {
    const parsed = parseCatalogCsv('producer;name;price\nFerme;Pain;1\n');
    expect(parsed.rows).toEqual([]);
    expect(parsed.rejections).toEqual([{ line: 1, reason: 'colonnes manquantes : code, category, unit' }]);
  });

  it('reads a Cagette product export for one producer', () => {
    const text = [
      'productName;price;ref;desc;qt;unit;organic;floatQt;vat;stock',
      'Oeufs plein air;4,20;32;;12;Piece;1;0;5.5;30',
      'Pommes de terre;1,90;PDT;;1;Kilogram;1;1;5.5;',
      'Miel 500 g;7,50;;Miel de tilleul;0.5;Kilogram;0;0;5.5;',
    ].join('\n');
    const parsed = parseCatalogCsv(text, { cagetteProducer: 'Ferme Dubois' });
    expect(parsed.format).toBe('cagette');
    expect(parsed.rejections).toEqual([]);
    expect(parsed.rows[0]).toMatchObject({ producer: 'Ferme Dubois', code: 32, unit: 'piece', packSize: 12, priceCents: 420, stock: 30 });
    expect(parsed.rows[1]).toMatchObject({ code: null, unit: 'kg', variableWeight: true, priceCents: 190 });
    expect(parsed.rows[2]).toMatchObject({ code: null, unit: 'piece', packSize: null, priceCents: 750 });
  });

  it('asks for the producer of a Cagette export', () => {
    const parsed = parseCatalogCsv('productName;price\nPain;1\n');
    expect(parsed.rejections).toEqual([{ line: 1, reason: 'un export Cagette demande le nom du producteur (--producer)' }]);
  });

  it('understands the usual ways of writing units, prices and VAT', () => {
    expect(parseUnit('Kilo')).toBe('kg');
    expect(parseUnit('100 g')).toBe('g100');
    expect(parseUnit('L')).toBe('litre');
    expect(parseUnit('Pièce')).toBe('piece');
    expect(parsePriceCents('1,2')).toBe(120);
    expect(parsePriceCents('12 €')).toBe(1200);
    expect(parsePriceCents('0.05')).toBe(5);
    expect(parseVatBp('20 %')).toBe(2000);
    expect(parseVatBp('')).toBe(550);
  });
});
