// "Habitants > Importer une liste": the mairie's list of people to call, from a spreadsheet
// (the CLI's `customer import`). A dry run first; a known phone is updated, never doubled.
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { customerImportSummary, refusedLine, spreadsheetProblem } from '../i18n/imports.js';
import { staffActor } from '../orders/actor.js';
import { importCustomers, parseCustomerSheet } from '../orders/customerImport.js';
import type { Db } from '../platform/db/client.js';
import { readSpreadsheet, SpreadsheetError } from '../platform/spreadsheetReader.js';
import type { Render } from './render.js';
import { requireRole } from './session.js';

/** The multipart body, read before the CSRF check (which needs its _csrf field). */
export const customerUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 2 * 1024 * 1024, files: 1 } }).single('file');
export const CUSTOMER_IMPORT_PATH = '/console/customers/import';

export function customerImportPages(deps: { db: Db; render: Render }) {
  const router = Router();
  const allowed = requireRole('coordinator', 'operator');

  const page = (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) =>
    deps.render(req, res, 'customerImport', { title: 'Importer une liste d’habitants', problems: [], report: null, ...extra }, status);

  router.get(CUSTOMER_IMPORT_PATH, allowed, (req, res) => page(req, res));

  router.post(CUSTOMER_IMPORT_PATH, allowed, async (req, res) => {
    const staff = req.session.staff!;
    if (!req.file) return page(req, res, { problems: ['Choisissez un fichier (CSV ou .xlsx).'] }, 400);
    const dryRun = (req.body as Record<string, string | undefined>).dryRun === '1';
    let parsed;
    try {
      parsed = parseCustomerSheet(await readSpreadsheet(req.file.buffer));
    } catch (err) {
      if (!(err instanceof SpreadsheetError)) throw err;
      return page(req, res, { problems: [spreadsheetProblem(err)] }, 400);
    }
    const report = await importCustomers(deps.db, staff.groupId, parsed, staffActor(staff.staffId), { dryRun });
    return page(req, res, { report: { ...report, dryRun, summary: customerImportSummary(report, dryRun), refused: report.rejected.map(refusedLine) } }, report.rejected.length ? 400 : 200);
  });

  return router;
}
