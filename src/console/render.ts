// Renders a console page inside the layout: who is logged in, the menu for their role, the open
// task count on every page, the CSRF token for forms, the demo banner.
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Request, Response } from 'express';
import type { Db } from '../platform/db/client.js';
import { csrf, type StaffRole } from './session.js';

const eta = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), cache: process.env.NODE_ENV === 'production', autoEscape: true });

const NAV: { href: string; label: string; roles: StaffRole[]; tasks?: boolean }[] = [
  { href: '/console/tasks', label: 'À traiter', roles: ['coordinator', 'operator'], tasks: true },
  { href: '/console/orders/new', label: 'Commande par téléphone', roles: ['coordinator', 'operator'] },
  { href: '/console/orders', label: 'Commandes', roles: ['coordinator', 'operator'] },
  { href: '/console/customers', label: 'Habitants', roles: ['coordinator', 'operator'] },
  { href: '/console/weigh', label: 'Pesée', roles: ['coordinator', 'operator'] },
  { href: '/console/sheets/preparation', label: 'Préparation', roles: ['coordinator', 'operator', 'producer'] },
  { href: '/console/sheets/catalogue', label: 'Feuille catalogue', roles: ['coordinator', 'operator'] },
  { href: '/console/catalogue', label: 'Catalogue', roles: ['coordinator', 'producer'] },
  { href: '/console/distributions', label: 'Distributions', roles: ['coordinator'] },
  { href: '/console/team', label: 'Équipe', roles: ['coordinator'] },
  { href: '/console/settings', label: 'Réglages', roles: ['coordinator'] },
  { href: '/console/queues', label: 'Files d’envoi', roles: ['coordinator'] },
  { href: '/console/rgpd', label: 'Données (RGPD)', roles: ['coordinator'] },
  { href: '/console/deliveries', label: 'Livraisons', roles: ['coordinator', 'operator', 'delivery_lead'] },
  // the platform admin: the groups only, never a resident's data
  { href: '/console/groups', label: 'Groupes', roles: ['platform_admin'] },
];

/** The first page of a role. */
export function homeOf(role: StaffRole): string {
  return NAV.find((n) => n.roles.includes(role))?.href ?? '/console/welcome';
}

export function createRenderer(deps: { db: Db; demo: boolean }) {
  return async function render(req: Request, res: Response, view: string, data: Record<string, unknown> & { title: string }, status = 200): Promise<void> {
    const staff = req.session.staff ?? null;
    let groupName: string | null = null;
    let openTasks = 0;
    if (staff) {
      const [group, count] = await Promise.all([
        deps.db.group.findUnique({ where: { id: staff.groupId }, select: { name: true } }),
        deps.db.callTask.count({ where: { groupId: staff.groupId, status: { not: 'done' } } }),
      ]);
      groupName = group?.name ?? null;
      openTasks = count;
    }
    const links = staff ? NAV.filter((n) => n.roles.includes(staff.role)) : [];
    // the current page: the longest menu address the path starts with
    const here = req.originalUrl.split('?')[0]!;
    const current = links.filter((n) => here === n.href || here.startsWith(`${n.href}/`)).sort((a, b) => b.href.length - a.href.length)[0];
    const nav = links.map((n) => ({ ...n, current: n === current, count: n.tasks ? openTasks : 0 }));
    // a CSRF token is stored in the session only for staff: an anonymous page gets its token from
    // its route (the login form's is stateless) or none, so that a visit stores nothing
    const flash = req.session.flash;
    if (flash) delete req.session.flash;
    const html = await eta.renderAsync(view, { ...data, staff, nav, groupName, demo: deps.demo, csrf: typeof data.csrf === 'string' ? data.csrf : staff ? csrf.generateToken(req) : '', flash });
    res.status(status).type('html').send(html);
  };
}

export type Render = ReturnType<typeof createRenderer>;
