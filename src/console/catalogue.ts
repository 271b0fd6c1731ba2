// The catalogue: coordinators run every product and import a spreadsheet (the CLI's importer);
// a producer sees and edits their own products only.
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { importCatalogRows } from '../catalog/catalogService.js';
import { parsePriceCents } from '../catalog/csvImport.js';
import type { CatalogCache } from '../catalog/openCatalog.js';
import { readCatalogFile } from '../catalog/import/readCatalogFile.js';
import { catalogTemplateCsv, catalogTemplateXlsx } from '../catalog/import/template.js';
import { catalogImportSummary, refusedLine, spreadsheetProblem } from '../i18n/imports.js';
import { SpreadsheetError } from '../platform/spreadsheetReader.js';
import { pricingProblems } from '../catalog/pricing.js';
import { euros } from '../i18n/sms.js';
import { saveCatalogProduct } from '../catalog/products.js';
import { staffErrorText } from '../i18n/errors.js';
import { staffActor } from '../orders/actor.js';
import type { Db } from '../platform/db/client.js';
import { AppError } from '../platform/errors.js';
import type { Render } from './render.js';
import { requireRole, type StaffSession } from './session.js';

/** The import's multipart body, read before the CSRF check (which needs its _csrf field). */
export const catalogueUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 2 * 1024 * 1024, files: 1 } }).single('file');
const UNITS = { piece: 'la pièce', kg: 'le kilo', g100: 'les 100 g', litre: 'le litre' } as const;

const optionalInt = z.preprocess((v) => (v === '' || v === undefined ? null : Number(v)), z.number().int().positive().nullable());
const ProductForm = z.object({
  code: z.coerce.number().int().min(1).max(99999),
  name: z.string().trim().min(1).max(120),
  category: z.string().trim().min(1).max(60),
  unit: z.enum(['piece', 'kg', 'g100', 'litre']),
  price: z.string().trim().min(1),
  vat: z.coerce.number().min(0).max(30).default(5.5),
  producerId: z.string().optional(),
  variableWeight: z.literal('1').optional(),
  multiWeigh: z.literal('1').optional(),
  portionGrams: optionalInt,
  packSize: optionalInt,
  averageWeightGrams: optionalInt,
  stock: optionalInt,
  active: z.literal('1').optional(),
});

export function cataloguePages(deps: { db: Db; render: Render; catalogs: CatalogCache }) {
  const router = Router();
  const allowed = requireRole('coordinator', 'producer');

  /** A producer's own products only; a coordinator's group's. */
  const scope = (s: StaffSession) => ({ groupId: s.groupId, ...(s.role === 'producer' ? { producerId: s.producerId ?? 'none' } : {}) });

  async function page(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const staff = req.session.staff!;
    const [products, producers] = await Promise.all([
      deps.db.product.findMany({ where: scope(staff), orderBy: { code: 'asc' }, include: { producer: true } }),
      deps.db.producer.findMany({ where: { groupId: staff.groupId, ...(staff.role === 'producer' ? { id: staff.producerId ?? 'none' } : {}) }, orderBy: { name: 'asc' } }),
    ]);
    await deps.render(req, res, 'catalogue', {
      title: 'Catalogue',
      coordinator: staff.role === 'coordinator',
      units: Object.entries(UNITS),
      producers: producers.map((p) => ({ id: p.id, name: p.name })),
      products: products.map((p) => ({
        ...p, producerName: p.producer.name, priceLabel: `${euros(p.priceCents)} ${UNITS[p.unit]}`, priceInput: (p.priceCents / 100).toFixed(2).replace('.', ','), vat: p.vatRateBp / 100,
      })),
      problems: [], report: null, ...extra,
    }, status);
  }

  router.get('/console/catalogue', allowed, (req, res) => page(req, res));

  async function saveProduct(req: Request, res: Response, id: string | null) {
    const staff = req.session.staff!;
    const parsed = ProductForm.safeParse(req.body);
    if (!parsed.success) return page(req, res, { problems: ['Produit incomplet : numéro, nom, rayon, unité et prix sont demandés.'] }, 400);
    const f = parsed.data;
    let priceCents: number;
    try {
      priceCents = parsePriceCents(f.price);
    } catch {
      return page(req, res, { problems: [`Prix illisible : ${f.price}`] }, 400);
    }
    const producerId = staff.role === 'producer' ? staff.producerId : f.producerId;
    const producer = producerId ? await deps.db.producer.findFirst({ where: { id: producerId, groupId: staff.groupId } }) : null;
    if (!producer) return page(req, res, { problems: ['Choisissez le producteur.'] }, 400);
    const data = {
      code: f.code, name: f.name, category: f.category, unit: f.unit, priceCents, vatRateBp: Math.round(f.vat * 100), producerId: producer.id,
      variableWeight: f.variableWeight === '1', multiWeigh: f.multiWeigh === '1', portionGrams: f.portionGrams, packSize: f.packSize,
      averageWeightGrams: f.averageWeightGrams, stockPerDistribution: f.stock, active: id ? f.active === '1' : true,
    };
    const problems = pricingProblems(data);
    if (problems.length) return page(req, res, { problems: problems.map((p) => `Tarif incohérent : ${p}.`) }, 400);
    try {
      await deps.db.$transaction((tx) =>
        saveCatalogProduct(tx, { groupId: staff.groupId, productId: id, ...(staff.role === 'producer' ? { onlyProducerId: staff.producerId ?? 'none' } : {}) }, data, staffActor(staff.staffId)),
      );
      // this process's SMS and calls see it at once; the others when the event is handled
      deps.catalogs.evict(staff.groupId);
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'not_found') throw err;
      return page(req, res, { problems: [staffErrorText(err)] }, err.status);
    }
    req.session.flash = `${f.name} est enregistré.`;
    res.redirect(303, '/console/catalogue');
  }

  router.post('/console/catalogue/products', allowed, (req, res) => saveProduct(req, res, null));
  router.post('/console/catalogue/products/:id', allowed, (req, res) => saveProduct(req, res, String(req.params.id)));

  router.post('/console/catalogue/import', requireRole('coordinator'), async (req, res) => {
    const staff = req.session.staff!;
    const body = req.body as Record<string, string | undefined>;
    if (!req.file) return page(req, res, { problems: ['Choisissez un fichier (CSV ou .xlsx).'] }, 400);
    const dryRun = body.dryRun === '1';
    let parsed;
    try {
      parsed = await readCatalogFile(req.file.buffer, { cagetteProducer: body.producer?.trim() || undefined });
    } catch (err) {
      if (!(err instanceof SpreadsheetError)) throw err;
      return page(req, res, { problems: [spreadsheetProblem(err)] }, 400);
    }
    const report = await importCatalogRows(deps.db, staff.groupId, parsed.rows, { dryRun, rejected: parsed.rejections });
    if (report.applied) deps.catalogs.evict(staff.groupId);
    return page(req, res, {
      report: { ...report, format: parsed.format, dryRun, summary: catalogImportSummary(report, dryRun), refused: report.rejected.map(refusedLine) },
    }, report.rejected.length ? 400 : 200);
  });

  // the template: Excel's French CSV, or a workbook
  router.get('/console/catalogue/modele.csv', requireRole('coordinator'), (_req, res) => {
    res.type('text/csv; charset=utf-8').attachment('modele-catalogue.csv').send(catalogTemplateCsv());
  });
  router.get('/console/catalogue/modele.xlsx', requireRole('coordinator'), async (_req, res) => {
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').attachment('modele-catalogue.xlsx').send(await catalogTemplateXlsx());
  });

  return router;
}
