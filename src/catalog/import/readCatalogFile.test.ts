import iconv from 'iconv-lite';
import writeExcelFile from 'write-excel-file/node';
import { describe, expect, it } from 'vitest';
import { catalogImportSummary } from '../../i18n/imports.js';
import { SpreadsheetError, decodeText } from '../../platform/spreadsheetReader.js';
import { catalogColumnOf } from './columns.js';
import { readCatalogFile } from './readCatalogFile.js';
import { catalogTemplateCsv, catalogTemplateXlsx } from './template.js';

const FRENCH = 'producteur;code;nom;catégorie;unité;prix;pesé;pesé à la pièce;portion (g);lot de;poids moyen (g);stock;autres noms;tva';

describe('a coordinator’s catalogue file', () => {
  it('reads Excel’s French CSV in Windows-1252: accents intact, French titles, decimal commas', async () => {
    const text = [FRENCH, 'Fromagerie;20;Comté;Crèmerie;100 g;2,60;oui;;200;;;;comte;5,5', 'Ferme;10;Œufs;Œufs;pièce;2,40;;;;6;;;;'].join('\r\n');
    const bytes = iconv.encode(text, 'windows-1252');
    expect(bytes.includes(Buffer.from('pièce', 'utf8'))).toBe(false); // really not UTF-8
    const read = await readCatalogFile(bytes);
    expect(read.encoding).toBe('windows-1252');
    expect(read.rejections).toEqual([]);
    expect(read.rows[0]).toMatchObject({ line: 2, producer: 'Fromagerie', name: 'Comté', category: 'Crèmerie', unit: 'g100', priceCents: 260, variableWeight: true, portionGrams: 200, aliases: ['comte'], vatRateBp: 550 });
    expect(read.rows[1]).toMatchObject({ name: 'Œufs', unit: 'piece', packSize: 6, priceCents: 240 });
  });

  it('reads UTF-8 with and without a BOM, and our English titles as before', async () => {
    const english = 'producer;code;name;category;unit;price\nFournil;1;Pain de campagne;Pain;pièce;3,20\n';
    for (const bytes of [Buffer.from(english, 'utf8'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(english, 'utf8')])]) {
      const read = await readCatalogFile(bytes);
      expect(read.rejections).toEqual([]);
      expect(read.rows[0]).toMatchObject({ name: 'Pain de campagne', unit: 'piece', priceCents: 320 });
    }
    expect(decodeText(Buffer.from(english, 'utf8')).encoding).toBe('utf-8');
    expect(decodeText(Buffer.from('\uFEFF' + english, 'utf8')).encoding).toBe('utf-8-bom');
  });

  it('reads an .xlsx workbook: numbers as written, French titles in any case', async () => {
    const bytes = await writeExcelFile([
      ['Producteur', 'N°', 'Nom du produit', 'Rayon', 'Unité', 'Prix (€)', 'TVA (%)'],
      ['Ferme des Prés', 30, 'Poulet fermier', 'Volailles', 'pièce', 11.5, 5.5],
      [null, null, null, null, null, null, null],
      ['Ferme des Prés', 31, 'Lait cru', 'Crèmerie', 'litre', 1.4, 5.5],
    ]).toBuffer();
    const read = await readCatalogFile(bytes);
    expect(read.encoding).toBe('xlsx');
    expect(read.rejections).toEqual([]);
    expect(read.rows.map((r) => [r.line, r.code, r.name, r.unit, r.priceCents])).toEqual([
      [2, 30, 'Poulet fermier', 'piece', 1150],
      [4, 31, 'Lait cru', 'litre', 140],
    ]);
  });

  it('names refused cells and missing columns with the file’s own titles', async () => {
    const read = await readCatalogFile(Buffer.from(`${FRENCH}\n;1;Pain;Pain;pièce;1;;;;;;;;\nFerme;2;Miel;Épicerie;pièce;cher;;;;;;;;\n`, 'utf8'));
    expect(read.rejections).toEqual([
      { line: 2, reason: 'producteur est vide' },
      { line: 3, reason: 'prix "cher" : pas un montant en euros' },
    ]);
    const missing = await readCatalogFile(Buffer.from('producteur;nom;prix\nFerme;Pain;1\n', 'utf8'));
    expect(missing.rejections).toEqual([{ line: 1, reason: 'colonnes manquantes : code, catégorie, unité' }]);
    await expect(readCatalogFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).rejects.toMatchObject({ problem: 'xls' });
    await expect(readCatalogFile(Buffer.alloc(0))).rejects.toBeInstanceOf(SpreadsheetError);
  });

  it('recognises the usual column titles, and leaves others alone', () => {
    expect(catalogColumnOf('Catégorie')).toBe('category');
    expect(catalogColumnOf('  PRIX € ')).toBe('price');
    expect(catalogColumnOf('Poids moyen (g)')).toBe('average_weight_g');
    expect(catalogColumnOf('pesé à la pièce')).toBe('multi_weigh');
    expect(catalogColumnOf('variable_weight')).toBe('variable_weight');
    expect(catalogColumnOf('Commentaire')).toBeNull();
  });

  it('offers a template that imports as it is, as CSV and as .xlsx', async () => {
    const csv = catalogTemplateCsv();
    expect(csv.startsWith('\uFEFFproducteur;code;nom;catégorie;unité;prix;')).toBe(true);
    expect(csv).toContain('Baguette tradition;Pain;pièce;1,2;');
    for (const bytes of [Buffer.from(csv, 'utf8'), await catalogTemplateXlsx()]) {
      const read = await readCatalogFile(bytes);
      expect(read.rejections).toEqual([]);
      expect(read.rows.map((r) => r.name)).toEqual(['Baguette tradition', 'Œufs plein air', 'Pommes', 'Comté', 'Poulet fermier', 'Lait cru']);
      expect(read.rows.find((r) => r.code === 30)).toMatchObject({ multiWeigh: true, variableWeight: true, averageWeightGrams: 1800, priceCents: 1150 });
    }
  });

  it('says plainly what an import would do', () => {
    const rejected = [{ line: 4, reason: 'prix "cher" : pas un montant en euros' }];
    expect(catalogImportSummary({ created: 2, updated: 1, rejected, applied: false }, true)).toBe(
      '2 produits seraient créés, 1 modifié, 1 ligne refusée : ligne 4 : prix "cher" : pas un montant en euros. Rien n’a été enregistré : corrigez le fichier et importez-le de nouveau.',
    );
    expect(catalogImportSummary({ created: 1, updated: 3, rejected: [], applied: false }, true)).toBe('Essai à blanc : 1 produit serait créé, 3 modifiés. Rien n’a été enregistré.');
    expect(catalogImportSummary({ created: 2, updated: 0, rejected: [], applied: true }, false)).toBe('2 produits créés, 0 modifié.');
  });
});
