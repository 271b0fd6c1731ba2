// CLI commands for a coordinator's real files and places: the catalogue template, the mairie's
// list of residents, relay points. Registered on the program by scripts/cli.ts.
import fs from 'node:fs';
import type { Command, Option } from 'commander';
import { catalogTemplateCsv, catalogTemplateXlsx } from '../../src/catalog/import/template.js';
import { customerImportSummary, refusedLine } from '../../src/i18n/imports.js';
import { SYSTEM } from '../../src/orders/actor.js';
import { importCustomers, parseCustomerSheet } from '../../src/orders/customerImport.js';
import type { Db } from '../../src/platform/db/client.js';
import { ValidationError } from '../../src/platform/errors.js';
import { readSpreadsheet } from '../../src/platform/spreadsheetReader.js';

export interface CliContext {
  database(): Promise<Db>;
  resolveGroup(db: Db, slug: string | undefined): Promise<{ id: string; slug: string; timeZone: string }>;
  groupOption(): Option;
}

export function registerImportCommands(program: Command, ctx: CliContext): void {
  const sub = (name: string, description: string) => program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);

  sub('catalog', 'catalogue')
    .command('template')
    .description('print the catalogue template (French titles, one example per pricing mode) as Excel’s CSV; --xlsx FILE writes a workbook')
    .option('--xlsx <file>', 'write an .xlsx workbook to this file instead')
    .action(async (o: { xlsx?: string }) => {
      if (o.xlsx) {
        fs.writeFileSync(o.xlsx, await catalogTemplateXlsx());
        console.error(`template written to ${o.xlsx}`);
      } else {
        process.stdout.write(catalogTemplateCsv());
      }
    });

  sub('customer', 'customers (residents, keyed by phone)')
    .command('import')
    .description('import residents from a CSV or .xlsx (nom, téléphone, adresse, ligne fixe/portable, livraison, aidant…); a known phone is updated, never doubled')
    .argument('<file>', 'CSV (UTF-8 or Windows-1252, ; or ,) or .xlsx')
    .addOption(ctx.groupOption())
    .option('--dry-run', 'check and report without writing')
    .action(async (file: string, o: { group?: string; dryRun?: boolean }) => {
      if (!fs.existsSync(file)) throw new ValidationError(`no such file: ${file}`);
      const parsed = parseCustomerSheet(await readSpreadsheet(fs.readFileSync(file)));
      const db = await ctx.database();
      const g = await ctx.resolveGroup(db, o.group);
      const report = await importCustomers(db, g.id, parsed, SYSTEM, { dryRun: o.dryRun });
      for (const r of report.rejected) console.log(refusedLine(r));
      console.log(customerImportSummary(report, Boolean(o.dryRun)));
      if (report.rejected.length > 0) process.exitCode = 1;
    });

  sub('relay', 'relay points')
    .command('list')
    .description('list relay points and their next distribution')
    .addOption(ctx.groupOption())
    .action(async (o: { group?: string }) => {
      const db = await ctx.database();
      const g = await ctx.resolveGroup(db, o.group);
      const relays = await db.relayPoint.findMany({
        where: { groupId: g.id },
        orderBy: { name: 'asc' },
        include: { _count: { select: { distributions: { where: { status: 'scheduled' } } } } },
      });
      for (const r of relays) console.log(`${r.name}\t${r.address}\t${r._count.distributions} upcoming distribution(s)`);
      if (relays.length === 0) console.log('no relay point yet: npm run cli -- relay add --name … --address …');
    });
}
