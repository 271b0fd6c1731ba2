// Admin CLI: npm run cli -- <command> [--help]. Errors are one clear line and a non-zero exit.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { importCatalogRows } from '../src/catalog/catalogService.js';
import { readCatalogFile } from '../src/catalog/import/readCatalogFile.js';
import { formatLocalTime, nextDistribution, parseLocalTime } from '../src/catalog/distributions.js';
// accent- and case-blind: "Epicerie du centre" finds "Épicerie du centre"
import { addRelayPoint, findRelayPoint, overlappingOrderWindows } from '../src/catalog/relays.js';
import { addCourier, addStaff } from '../src/catalog/team.js';
import { SYSTEM } from '../src/orders/actor.js';
import { createDistribution } from '../src/orders/distributionLifecycle.js';
import { loadConfig } from '../src/config.js';
import { seedDemo } from '../src/demo/seed.js';
import { upsertCustomer } from '../src/orders/customers.js';
import { exportDistributionOrders, ordersToCsv, totalEstimatedCents } from '../src/orders/export.js';
import type { Db } from '../src/platform/db/client.js';
import { AppError, NotFoundError, ValidationError } from '../src/platform/errors.js';
import { openDatabase, type DatabaseHandle } from '../src/platform/infrastructure.js';
import { createLogger } from '../src/platform/logger.js';
import { toE164 } from '../src/platform/phone.js';
import { SpreadsheetError } from '../src/platform/spreadsheetReader.js';
import { catalogImportSummary, overlappingWindowsWarning, refusedLine, spreadsheetProblem } from '../src/i18n/imports.js';
import { registerImportCommands } from './cli/imports.js';
import { registerTwilioCommands } from './cli/twilio.js';
import { registerBackupCommands } from './cli/backup.js';
import { BackupError } from '../src/platform/backup.js';

/** Where a run's output goes: the terminal, or a test's buffers. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  write: (text: string) => void;
  writeErr: (text: string) => void;
  exitCode: number;
}

/** A fresh program per run (commander keeps option values on its commands): tests call it in-process. */
function buildCli(io: CliIo, env: NodeJS.ProcessEnv, given?: Db) {
  let handle: DatabaseHandle | undefined;
  async function database(): Promise<Db> {
    if (given) return given;
    if (!handle) handle = await openDatabase(loadConfig(env), createLogger('warn', process.stderr), { poolMax: 1 });
    return handle.db;
  }

  function phone(value: string, what = 'phone number'): string {
    const e164 = toE164(value);
    if (!e164) throw new ValidationError(`"${value}" is not a valid ${what}`);
    return e164;
  }

  /** The group named by --group, or the only one. */
  async function resolveGroup(db: Db, slug: string | undefined) {
    if (slug) {
      const group = await db.group.findUnique({ where: { slug } });
      if (!group) throw new NotFoundError(`group "${slug}"`);
      return group;
    }
    const groups = await db.group.findMany({ take: 2 });
    if (groups.length === 0) throw new ValidationError('there is no group yet: run `npm run cli -- group create …` or `npm run seed`');
    if (groups.length > 1) throw new ValidationError('several groups exist: say which with --group SLUG');
    return groups[0]!;
  }

  const euros = (cents: number) => (cents / 100).toFixed(2).replace('.', ',') + ' €';

  const program = new Command('cli').description('Admin commands of the panier de proximité phone & SMS service').exitOverride()
    .configureOutput({ writeOut: (s) => io.write(s), writeErr: (s) => io.writeErr(s) });
  const groupOption = () => new Option('--group <slug>', 'group (optional when there is only one)');

  const group = program.command('group').description('groups (one panier, its Twilio numbers)');
  group
    .command('create')
    .description('create a group')
    .requiredOption('--slug <slug>', 'short identifier, e.g. lormes')
    .requiredOption('--name <name>', 'name residents hear and read')
    .requiredOption('--number <e164...>', 'Twilio number(s) of the group')
    .option('--timezone <tz>', 'time zone', 'Europe/Paris')
    .option('--operator-phone <phone>', 'switchboard phone for transfers')
    .action(async (o: { slug: string; name: string; number: string[]; timezone: string; operatorPhone?: string }) => {
      const db = await database();
      if (!/^[a-z0-9-]{2,40}$/.test(o.slug)) throw new ValidationError('slug: 2 to 40 lowercase letters, digits or dashes');
      const numbers = o.number.map((n) => phone(n, 'Twilio number'));
      const created = await db.group.create({
        data: {
          slug: o.slug, name: o.name, timeZone: o.timezone, operatorPhone: o.operatorPhone ? phone(o.operatorPhone) : undefined,
          smsSender: numbers[0], numbers: { create: numbers.map((p) => ({ phone: p })) },
        },
      });
      io.out(`group ${created.slug} created with number(s) ${numbers.join(', ')}`);
    });
  group
    .command('add-number')
    .description('give a group another Twilio number')
    .addOption(groupOption())
    .requiredOption('--number <e164>', 'Twilio number')
    .action(async (o: { group?: string; number: string }) => {
      const db = await database();
      const g = await resolveGroup(db, o.group);
      await db.groupNumber.create({ data: { groupId: g.id, phone: phone(o.number, 'Twilio number') } });
      io.out(`number added to ${g.slug}`);
    });
  group
    .command('list')
    .description('list groups and their numbers')
    .action(async () => {
      const db = await database();
      const groups = await db.group.findMany({ include: { numbers: true }, orderBy: { slug: 'asc' } });
      for (const g of groups) io.out(`${g.slug}\t${g.name}\t${g.timeZone}\t${g.numbers.map((n) => n.phone).join(', ')}`);
      if (groups.length === 0) io.out('no group yet');
    });

  program
    .command('relay')
    .description('relay points')
    .command('add')
    .description('add a relay point (the shop where baskets are collected)')
    .addOption(groupOption())
    .requiredOption('--name <name>', 'name')
    .requiredOption('--address <address>', 'postal address')
    .action(async (o: { group?: string; name: string; address: string }) => {
      const db = await database();
      const g = await resolveGroup(db, o.group);
      await db.$transaction((tx) => addRelayPoint(tx, { groupId: g.id, name: o.name, address: o.address }, SYSTEM));
      io.out(`relay point "${o.name}" added to ${g.slug}`);
    });

  program
    .command('seed')
    .description('load the demo group "Panier de Lormes" (running it twice changes nothing)')
    .action(async () => {
      const report = await seedDemo(await database());
      io.out(report.createdGroup ? 'demo group loaded' : `demo group already there (${report.productsCreated} products added, distribution ${report.createdDistribution ? 'created' : 'kept'})`);
    });

  program
    .command('catalog')
    .description('catalogue')
    .command('import')
    .description('import products from a CSV or .xlsx (ours, French titles, or a Cagette export); upsert by producer + code')
    .argument('<file>', 'CSV (; or ,, UTF-8 or Windows-1252) or .xlsx; `catalog template` prints one')
    .addOption(groupOption())
    .option('--dry-run', 'check and report without writing')
    .option('--producer <name>', 'producer of a Cagette export')
    .action(async (file: string, o: { group?: string; dryRun?: boolean; producer?: string }) => {
      if (!fs.existsSync(file)) throw new ValidationError(`no such file: ${file}`);
      const parsed = await readCatalogFile(fs.readFileSync(file), { cagetteProducer: o.producer });
      const db = await database();
      const g = await resolveGroup(db, o.group);
      const report = await importCatalogRows(db, g.id, parsed.rows, { dryRun: o.dryRun, rejected: parsed.rejections });
      for (const r of report.rejected) io.out(refusedLine(r));
      io.out(`${parsed.format === 'cagette' ? 'export Cagette' : 'fichier catalogue'} (${parsed.encoding}) : ${catalogImportSummary(report, Boolean(o.dryRun))}`);
      if (report.rejected.length > 0) io.exitCode = 1;
    });

  const distribution = program.command('distribution').description('distributions (pickup days)');
  distribution
    .command('create')
    .description('create a distribution; times are local to the group, "YYYY-MM-DD HH:mm"')
    .addOption(groupOption())
    .requiredOption('--relay <name>', 'relay point name')
    .requiredOption('--pickup-start <time>', 'pickup start')
    .requiredOption('--pickup-end <time>', 'pickup end')
    .requiredOption('--opens <time>', 'orders open')
    .requiredOption('--closes <time>', 'orders close')
    .option('--delivery-start <time>', 'home delivery window start')
    .option('--delivery-end <time>', 'home delivery window end')
    .action(async (o: { group?: string; relay: string; pickupStart: string; pickupEnd: string; opens: string; closes: string; deliveryStart?: string; deliveryEnd?: string }) => {
      const db = await database();
      const g = await resolveGroup(db, o.group);
      const t = (s: string) => parseLocalTime(s, g.timeZone);
      const relay = await findRelayPoint(db, g.id, o.relay);
      const d = await db.$transaction((tx) => createDistribution(tx, {
        groupId: g.id, relayPointId: relay.id,
        pickupStart: t(o.pickupStart), pickupEnd: t(o.pickupEnd), opensAt: t(o.opens), closesAt: t(o.closes),
        deliveryStart: o.deliveryStart ? t(o.deliveryStart) : undefined, deliveryEnd: o.deliveryEnd ? t(o.deliveryEnd) : undefined,
      }, SYSTEM));
      io.out(`distribution ${d.id} created`);
      const overlaps = await overlappingOrderWindows(db, g.id, d, d.id);
      if (overlaps.length > 0) io.err(overlappingWindowsWarning(overlaps.map((x) => `${formatLocalTime(x.pickupStart, g.timeZone)} (${x.relayPoint.name})`)));
    });
  distribution
    .command('list')
    .description('list distributions')
    .addOption(groupOption())
    .action(async (o: { group?: string }) => {
      const db = await database();
      const g = await resolveGroup(db, o.group);
      const list = await db.distribution.findMany({ where: { groupId: g.id }, include: { relayPoint: true, _count: { select: { orders: { where: { status: { notIn: ['draft', 'cancelled'] } } } } } }, orderBy: { pickupStart: 'asc' } });
      for (const d of list) {
        io.out(`${d.id}\t${d.relayPoint.name}\tpickup ${formatLocalTime(d.pickupStart, g.timeZone)}–${formatLocalTime(d.pickupEnd, g.timeZone).slice(11)}\torders ${formatLocalTime(d.opensAt, g.timeZone)} → ${formatLocalTime(d.closesAt, g.timeZone)}\t${d.status}\t${d._count.orders} orders`);
      }
      if (list.length === 0) io.out('no distribution yet');
    });

  program
    .command('staff')
    .description('staff accounts')
    .command('add')
    .description('add a staff account')
    .addOption(groupOption())
    .addOption(new Option('--role <role>', 'role').choices(['coordinator', 'operator', 'delivery_lead', 'producer', 'platform_admin']).makeOptionMandatory())
    .requiredOption('--name <name>', 'name')
    .option('--email <email>', 'login email (console)')
    .option('--password <password>', 'console password')
    .option('--phone <phone>', 'phone (the delivery lead gets SMS)')
    .option('--producer <name>', 'for a producer account: which producer')
    .action(async (o: { group?: string; role: 'coordinator' | 'operator' | 'delivery_lead' | 'producer' | 'platform_admin'; name: string; email?: string; password?: string; phone?: string; producer?: string }) => {
      const db = await database();
      const g = await resolveGroup(db, o.group);
      if (o.role === 'producer' && !o.producer) throw new ValidationError('a producer account needs --producer NAME');
      let producerId: string | undefined;
      if (o.producer) {
        const p = await db.producer.findUnique({ where: { groupId_name: { groupId: g.id, name: o.producer } } });
        if (!p) throw new NotFoundError(`producer "${o.producer}"`);
        producerId = p.id;
      }
      await db.$transaction((tx) => addStaff(tx, { groupId: g.id, role: o.role, name: o.name, email: o.email, password: o.password, phone: o.phone ? phone(o.phone) : undefined, producerId }, SYSTEM));
      io.out(`${o.role} ${o.name} added`);
    });

  program
    .command('courier')
    .description('couriers')
    .command('add')
    .description('add a courier (volunteer or municipal agent), reached by SMS')
    .addOption(groupOption())
    .requiredOption('--name <name>', 'name')
    .requiredOption('--phone <phone>', 'mobile phone')
    .action(async (o: { group?: string; name: string; phone: string }) => {
      const db = await database();
      const g = await resolveGroup(db, o.group);
      await db.$transaction((tx) => addCourier(tx, { groupId: g.id, name: o.name, phone: phone(o.phone) }, SYSTEM));
      io.out(`courier ${o.name} added`);
    });

  program
    .command('customer')
    .description('customers (residents, keyed by phone)')
    .command('add')
    .description('add or update a customer')
    .addOption(groupOption())
    .requiredOption('--phone <phone>', 'phone')
    .requiredOption('--name <name>', 'name')
    .option('--address <address>', 'postal address')
    .option('--delivery', 'home delivery by default')
    .action(async (o: { group?: string; phone: string; name: string; address?: string; delivery?: boolean }) => {
      const db = await database();
      const g = await resolveGroup(db, o.group);
      const c = await upsertCustomer(db, { groupId: g.id, phone: o.phone, name: o.name, address: o.address, deliveryByDefault: o.delivery });
      io.out(`customer ${c.name} saved (${c.lineType})`);
    });

  program
    .command('orders')
    .description('orders')
    .command('export')
    .description('every order of a distribution, with lines and totals')
    .addOption(groupOption())
    .requiredOption('--distribution <id|next>', 'distribution id, or "next"')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .action(async (o: { group?: string; distribution: string; format: 'json' | 'csv' }) => {
      const db = await database();
      const g = await resolveGroup(db, o.group);
      const d = o.distribution === 'next' ? await nextDistribution(db, g.id) : await db.distribution.findFirst({ where: { id: o.distribution, groupId: g.id } });
      if (!d) throw new NotFoundError(o.distribution === 'next' ? 'upcoming distribution' : `distribution ${o.distribution}`);
      const orders = await exportDistributionOrders(db, d.id);
      if (o.format === 'csv') io.write(ordersToCsv(orders));
      else io.out(JSON.stringify({ distributionId: d.id, orders }, null, 2));
      if (orders.length > 0 && o.format === 'json') io.err(`${orders.filter((x) => x.status !== 'cancelled').length} orders, ${euros(totalEstimatedCents(orders))} estimated`);
    });

  registerImportCommands(program, { database, resolveGroup, groupOption });
  registerTwilioCommands(program, { database, resolveGroup, groupOption });
  registerBackupCommands(program);

  return { program, close: () => handle?.close() };
}

/** Runs one CLI command line (`argv` without node and the script); the exit code. */
export async function runCli(argv: string[], opts: { env?: NodeJS.ProcessEnv; io?: Partial<CliIo>; /** an open, migrated database (tests) */ db?: Db } = {}): Promise<number> {
  const io: CliIo = {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    write: (text) => void process.stdout.write(text),
    writeErr: (text) => void process.stderr.write(text),
    exitCode: 0,
    ...opts.io,
  };
  const { program, close } = buildCli(io, opts.env ?? process.env, opts.db);
  const exitCodeBefore = process.exitCode;
  try {
    await program.parseAsync(argv, { from: 'user' });
    // the commands registered from scripts/cli/ report a failure through process.exitCode
    const set = process.exitCode;
    process.exitCode = exitCodeBefore;
    return io.exitCode || (typeof set === 'number' && set !== exitCodeBefore ? set : 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof AppError) io.err(`error: ${err.message}`);
    else if (err instanceof SpreadsheetError) io.err(`error: ${spreadsheetProblem(err)}`);
    else if (err instanceof BackupError) io.err(`error: ${err.message}`);
    else io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await close();
  }
}

// run as a script (npm run cli): not when a test imports it
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(await runCli(process.argv.slice(2)));
