// Every console route, found by walking the app's router (a route added later is probed too):
// no POST without its CSRF token, each role only on its pages, no id of another group, no script
// through an input, no control character reaching the database.
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StaffRole } from '../../src/console/session.js';
import { createOrderService } from '../../src/orders/orderService.js';
import type { Db } from '../../src/platform/db/client.js';
import { useTestDatabase } from '../helpers/db.js';
import { uniqueMobile, type TestGroup } from '../helpers/fixtures.js';
import { createTestGroup, loginAs, ROLES, securityApp, staffOf } from './helpers.js';

interface Route { method: 'get' | 'post'; path: string }

/** Every console route of the app, from its router stack (Express 5). */
function consoleRoutes(app: Express): Route[] {
  const found: Route[] = [];
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string' && layer.route.path.startsWith('/console')) {
        for (const m of Object.keys(layer.route.methods)) if (m === 'get' || m === 'post') found.push({ method: m, path: layer.route.path });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

let db: Db;
let g: TestGroup;
let other: TestGroup;
let emails: Record<StaffRole, string>;
let app: Express;
let routes: Route[];
/** an id of each kind, in one group: for `:id` */
let ids: (group: TestGroup) => Promise<Record<string, string>>;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  g = await createTestGroup(db);
  other = await createTestGroup(db);
  emails = await staffOf(db, g);
  await staffOf(db, other);
  ({ app } = securityApp(db, { anonymousPerMinute: 100_000 }));
  routes = consoleRoutes(app);
  const orders = createOrderService({ db });
  ids = async (group) => {
    const order = await orders.placeOrder({ groupId: group.groupId, customerId: group.customerId, distributionId: group.distributionId, channel: 'operator', confirm: true, lines: [{ productId: group.products.baguette, quantity: 1 }] });
    const delivery = await db.delivery.create({ data: { groupId: group.groupId, orderId: order.id, address: '1 rue du Test' } });
    const task = await db.callTask.create({ data: { groupId: group.groupId, kind: 'call_back', status: 'open', callerPhone: group.customerPhone, customerId: group.customerId } });
    const staff = await db.staffUser.findFirstOrThrow({ where: { groupId: group.groupId, role: 'operator' } });
    const courier = await db.courier.create({ data: { groupId: group.groupId, name: 'Paul', phone: uniqueMobile() } });
    return { order: order.id, delivery: delivery.id, task: task.id, customer: group.customerId, product: group.products.baguette, distribution: group.distributionId, staff: staff.id, courier: courier.id, group: group.groupId };
  };
});

/** The path with its parameters filled in with ids of `group`. */
function fill(path: string, id: Record<string, string>): string {
  const kind = path.startsWith('/console/orders') ? 'order' : path.startsWith('/console/deliveries') ? 'delivery' : path.startsWith('/console/tasks') ? 'task'
    : path.startsWith('/console/customers') ? 'customer' : path.startsWith('/console/catalogue') ? 'product' : path.startsWith('/console/distributions') ? 'distribution'
      : path.startsWith('/console/team/staff') ? 'staff' : path.startsWith('/console/groups') ? 'group' : 'courier';
  return path.replace(':id', id[kind]!).replace(':action', 'close');
}

describe('console routes', () => {
  it('are found by walking the router (the probes below cover them all)', () => {
    expect(routes.filter((r) => r.method === 'post').length).toBeGreaterThanOrEqual(20);
    expect(routes.filter((r) => r.method === 'get').length).toBeGreaterThanOrEqual(20);
  });

  it('refuse every POST without its CSRF token (403), for every role', async () => {
    const mine = await ids(g);
    for (const role of ROLES) {
      const { agent } = await loginAs(app, emails[role]);
      for (const r of routes.filter((x) => x.method === 'post')) {
        const res = await agent.post(fill(r.path, mine)).type('form').send({ name: 'x', note: 'x', active: '0' });
        expect([r.path, role, res.status]).toEqual([r.path, role, 403]);
      }
    }
    // nothing moved: the order is still confirmed, the task still open, the staff still active
    expect((await db.order.findUniqueOrThrow({ where: { id: mine.order } })).status).toBe('confirmed');
    expect((await db.callTask.findUniqueOrThrow({ where: { id: mine.task } })).status).toBe('open');
    expect((await db.staffUser.findUniqueOrThrow({ where: { id: mine.staff } })).active).toBe(true);
  });

  it('answer each role 200 (or a redirect) on its pages and 403 elsewhere, never 500', async () => {
    const mine = await ids(g);
    const pages = routes.filter((r) => r.method === 'get' && !r.path.includes('/recording') && !r.path.startsWith('/console/queues') && r.path !== '/console/login');
    const seen: Record<string, Record<string, number>> = {};
    for (const role of ROLES) {
      const { agent } = await loginAs(app, emails[role]);
      for (const r of pages) {
        const res = await agent.get(fill(r.path, mine));
        (seen[r.path] ??= {})[role] = res.status;
        expect([r.path, role, res.status < 500]).toEqual([r.path, role, true]);
      }
    }
    // the README's table of who sees what
    const only = (path: string, allowed: StaffRole[]) => expect([path, ROLES.map((x) => seen[path]![x] !== 403)]).toEqual([path, ROLES.map((x) => allowed.includes(x))]);
    only('/console/tasks', ['coordinator', 'operator']);
    only('/console/orders', ['coordinator', 'operator']);
    only('/console/customers', ['coordinator', 'operator']);
    only('/console/weigh', ['coordinator', 'operator']);
    only('/console/sheets/preparation', ['coordinator', 'operator', 'producer']);
    only('/console/deliveries', ['coordinator', 'operator', 'delivery_lead']);
    only('/console/catalogue', ['coordinator', 'producer']);
    only('/console/distributions', ['coordinator']);
    only('/console/team', ['coordinator']);
    only('/console/exports/orders.csv', ['coordinator', 'operator']);
    only('/console/settings', ['coordinator']);
    only('/console/groups', ['platform_admin']);
    only('/console/groups/:id', ['platform_admin']);
  });

  it('never open or change another group’s order, resident, task, delivery, product, distribution or account', async () => {
    const theirs = await ids(other);
    const { agent, csrf } = await loginAs(app, emails.coordinator);
    for (const r of routes.filter((x) => x.path.includes(':id'))) {
      const res = r.method === 'get' ? await agent.get(fill(r.path, theirs)) : await agent.post(fill(r.path, theirs)).type('form').send({ _csrf: csrf, name: 'Pris', note: 'x', active: '0', courierId: theirs.courier, phone: uniqueMobile() });
      // a page: not found. An action: not found, refused as invalid before any lookup, or sent back
      // to its list with a flash (the distribution actions); the rows below say nothing changed.
      // The platform admin's group pages: refused to a coordinator by role
      const ok = r.path.startsWith('/console/groups') ? res.status === 403 : r.method === 'get' ? res.status === 404 : [303, 400, 404].includes(res.status);
      expect([r.method, r.path, ok]).toEqual([r.method, r.path, true]);
    }
    expect(await db.order.findUniqueOrThrow({ where: { id: theirs.order } })).toMatchObject({ status: 'confirmed', paidAt: null, collectedAt: null });
    expect((await db.callTask.findUniqueOrThrow({ where: { id: theirs.task } })).status).toBe('open');
    expect((await db.staffUser.findUniqueOrThrow({ where: { id: theirs.staff } })).active).toBe(true);
    expect((await db.courier.findUniqueOrThrow({ where: { id: theirs.courier } })).active).toBe(true);
    expect((await db.delivery.findUniqueOrThrow({ where: { id: theirs.delivery } })).courierId).toBeNull();
    expect((await db.distribution.findUniqueOrThrow({ where: { id: theirs.distribution } })).status).toBe('scheduled');
    expect((await db.customer.findUniqueOrThrow({ where: { id: theirs.customer } })).name).toBe('Madame Test');
    expect((await db.product.findUniqueOrThrow({ where: { id: theirs.product } })).name).toBe('Baguette tradition');
    expect((await db.group.findUniqueOrThrow({ where: { id: other.groupId } })).name).not.toBe('Pris');
  });

  it('answer a control character in a path, a filter or a form field with a French 400, never a 500', async () => {
    const { agent, csrf } = await loginAs(app, emails.coordinator);
    // an unknown filter value is a wrong input too: answered, never a 500
    expect((await agent.get('/console/orders?status=bogus')).status).toBeLessThan(500);
    const probes: [string, () => Promise<{ status: number; text: string }>][] = [
      ['NUL in a path', () => agent.get('/console/orders/%00')],
      ['NUL in a search', () => agent.get('/console/customers?q=%00')],
      ['control character in a filter', () => agent.get('/console/orders?distribution=a%01b')],
      ['NUL in a form field', () => agent.post('/console/customers/new').type('form').send({ _csrf: csrf, name: 'Jean\u0000Nul', phone: '0612345678' })],
      ['escape sequence in a form field', () => agent.post('/console/team/couriers').type('form').send({ _csrf: csrf, name: 'Paul\u001b[31m', phone: '0612345678' })],
    ];
    for (const [what, probe] of probes) {
      const res = await probe();
      expect([what, res.status]).toEqual([what, 400]);
      expect(res.text).toContain('n’est pas valable');
    }
    expect(await db.customer.count({ where: { name: { contains: 'Nul' } } })).toBe(0);
  });

  it('escape what residents and staff typed wherever it is shown', async () => {
    const xss = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const { agent, csrf } = await loginAs(app, emails.coordinator);
    const created = await agent.post('/console/customers/new').type('form').send({ _csrf: csrf, name: `Mme ${xss}`, phone: uniqueMobile().replace('+33', '0'), address: xss, notes: xss });
    expect(created.status).toBeLessThan(400);
    await db.callTask.create({ data: { groupId: g.groupId, kind: 'call_back', status: 'open', callerPhone: g.customerPhone, customerId: g.customerId, note: xss } });
    await db.customer.update({ where: { id: g.customerId }, data: { name: `Madame ${xss}` } });
    for (const page of ['/console/customers?q=Mme', '/console/tasks', '/console/orders', '/console/deliveries', '/console/sheets/preparation']) {
      const res = await agent.get(page);
      expect([page, res.status]).toEqual([page, 200]);
      expect([page, res.text.includes('<script>alert(1)')]).toEqual([page, false]);
      expect([page, /<img[^>]+onerror/.test(res.text)]).toEqual([page, false]);
    }
    await db.customer.update({ where: { id: g.customerId }, data: { name: 'Madame Test' } });
  });

  // CSV exports opened in Excel: a cell starting with = + - @ runs as a formula
  it('neutralise spreadsheet formulas in every CSV export', async () => {
    const { agent } = await loginAs(app, emails.coordinator);
    await db.customer.update({ where: { id: g.customerId }, data: { name: '=HYPERLINK("http://evil.test","x")' } });
    for (const path of ['/console/exports/orders.csv', '/console/exports/deliveries.csv']) {
      const res = await agent.get(path);
      expect(res.text).not.toMatch(/(^|;)"?=HYPERLINK/m);
    }
  });
});
