// The operator console under /console: server-rendered pages in French, a session per staff
// member, every route checking the role on the server.
import { fileURLToPath } from 'node:url';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z, ZodError } from 'zod';
import type { CatalogCache } from '../catalog/openCatalog.js';
import type { Db } from '../platform/db/client.js';
import { refuseControlCharacters } from '../platform/edgeInput.js';
import { AppError, ValidationError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import type { OrderService } from '../orders/orderService.js';
import { deliveryPages } from './deliveries.js';
import { orderEntryPages } from './orderEntry.js';
import { orderPages } from './orders.js';
import { weighInPages } from './weighIn.js';
import { sheetPages } from './sheets.js';
import { queueDashboard } from './queues.js';
import { catalogueUpload, cataloguePages } from './catalogue.js';
import { adminPages } from './admin.js';
import { groupPages } from './groups.js';
import { customerPages } from './customers.js';
import { privacyPages } from './privacy.js';
import { CUSTOMER_IMPORT_PATH, customerImportPages, customerUpload } from './customerImport.js';
import { createRenderer, homeOf } from './render.js';
import { createLoginFormGuard } from './loginForm.js';
import { createLoginThrottle, type LoginThrottleSettings } from './loginThrottle.js';
import { anonymousRateLimit, csrf, requireRole, SESSION_MAX_AGE_MS, sessionMiddleware, sessionSecret, untilReady } from './session.js';
import { taskPages } from './tasks.js';

export interface ConsoleDeps {
  db: Db;
  orders: OrderService;
  /** the process's catalogue cache, dropped at once when a page changes the catalogue */
  catalogs: CatalogCache;
  redis: Redis;
  /** Redis for sessions and login counters (SESSION_REDIS_URL); default: `redis` */
  sessionRedis?: Redis;
  log: Logger;
  publicBaseUrl: string;
  twilio: { accountSid: string; authToken: string; apiBaseUrl: string | undefined; demoMode: boolean };
  sessionSecret?: string;
  /** Redis key prefix of sessions and login counters (one per deployment; tests use their own) */
  redisPrefix?: string;
  /** BullMQ key prefix of the worker's queues (the dashboard shows them) */
  queuePrefix?: string;
  now?: () => Date;
  loginThrottle?: Partial<LoginThrottleSettings>;
  /** requests a minute per address from visitors not logged in (default 60) */
  anonymousPerMinute?: number;
}

const ORDER_ENTRY_JS = fileURLToPath(new URL('../../public/console/order-entry.js', import.meta.url));

const LoginForm = z.object({ email: z.string().trim().toLowerCase().max(200), password: z.string().max(500), next: z.string().optional() });

/** Only paths inside the console are followed after login (no open redirect). */
function safeNext(next: string | undefined): string | null {
  return next && /^\/console(\/[\w\-/?=&%.]*)?$/.test(next) && !next.startsWith('/console/login') ? next : null;
}

// An unknown email is checked against this hash, so that it costs the same argon2 work as a known
// one: the answer's timing does not tell which emails have an account.
let dummyHash: Promise<string> | null = null;
const hashForUnknownAccount = () => (dummyHash ??= hash(crypto.randomBytes(24).toString('base64')));

export function consoleRouter(deps: ConsoleDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'console' });
  const prefix = deps.redisPrefix ?? 'panier:';
  const sessionRedis = deps.sessionRedis ?? deps.redis;
  const secret = sessionSecret(deps.sessionSecret, deps.twilio.authToken);
  const secure = deps.publicBaseUrl.startsWith('https://');
  const loginForm = createLoginFormGuard({ secret, secure });
  const throttle = createLoginThrottle(sessionRedis, `${prefix}login:`, deps.loginThrottle);
  const render = createRenderer({ db: deps.db, demo: deps.twilio.demoMode });
  router.use(
    '/console',
    helmet({ contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'media-src': ["'self'"] } } }),
    express.urlencoded({ extended: false, limit: '64kb' }),
    // a NUL or another control character in a path, filter or field: a French error page, never a 500
    refuseControlCharacters(),
    sessionMiddleware({ redis: sessionRedis, secret, secure, prefix: `${prefix}sess:` }),
    anonymousRateLimit(sessionRedis, `${prefix}anon:`, deps.anonymousPerMinute),
  );
  // an account deactivated by a coordinator is logged out at its next request, and every session
  // ends SESSION_MAX_AGE after its login however active it is
  router.use('/console', async (req, _res, next) => {
    const staff = req.session.staff;
    const expired = staff && (!req.session.loggedInAt || Date.now() - req.session.loggedInAt > SESSION_MAX_AGE_MS);
    if (staff && (expired || !(await deps.db.staffUser.findFirst({ where: { id: staff.staffId, active: true }, select: { id: true } })))) delete req.session.staff;
    next();
  });
  // the catalogue import is multipart: its fields (and _csrf) are read before the CSRF check
  router.post('/console/catalogue/import', requireRole('coordinator'), catalogueUpload);
  router.post(CUSTOMER_IMPORT_PATH, requireRole('coordinator', 'operator'), customerUpload);
  // the queue dashboard's scripts carry no CSRF token: its own same-origin check (queues.ts)
  router.use(queueDashboard({ db: deps.db, redis: deps.redis, queuePrefix: deps.queuePrefix ?? 'panier', publicBaseUrl: deps.publicBaseUrl }));
  // every form carries the session's CSRF token, except the login form (no session yet: loginForm.ts)
  router.use('/console', (req, res, next) => (req.method === 'POST' && req.path === '/login' ? next() : csrf.csrfSynchronisedProtection(req, res, next)));

  router.get('/console/assets/order-entry.js', (_req, res) => res.type('text/javascript').sendFile(ORDER_ENTRY_JS));

  router.get('/console/login', async (req, res) => {
    if (req.session.staff) return res.redirect(303, homeOf(req.session.staff.role));
    await render(req, res, 'login', { title: 'Connexion', csrf: loginForm.issue(req, res), next: safeNext(String(req.query.next ?? '')) ?? '' });
  });

  router.post('/console/login', async (req, res, next) => {
    if (!loginForm.valid(req)) return next(csrf.invalidCsrfTokenError);
    const form = LoginForm.safeParse(req.body);
    const email = form.success ? form.data.email : '';
    const address = req.ip ?? 'unknown';
    await untilReady(sessionRedis, 10_000);
    const verdict = await throttle.check(address, email);
    if (!verdict.allowed) {
      log.warn({ retryAfterSeconds: verdict.retryAfterSeconds }, 'console login throttled');
      res.status(429).set('Retry-After', String(verdict.retryAfterSeconds)).type('html')
        .send(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>Trop d’essais</title><p>Trop d’essais de connexion. Réessayez dans ${verdict.retryAfterSeconds} secondes.</p></html>`);
      return;
    }
    const staff = form.success && email ? await deps.db.staffUser.findUnique({ where: { email } }) : null;
    const usable = staff?.active && staff.passwordHash ? staff.passwordHash : null;
    // always one argon2 verification, against a dummy hash when there is no usable account
    const matches = await verify(usable ?? (await hashForUnknownAccount()), form.success ? form.data.password : '').catch(() => false);
    if (!staff || !usable || !matches) {
      await throttle.failed(address, email);
      log.info('console login refused');
      return render(req, res, 'login', { title: 'Connexion', csrf: loginForm.issue(req, res), error: 'Adresse ou mot de passe incorrect.', email, next: form.success ? (safeNext(form.data.next) ?? '') : '' }, 401);
    }
    await throttle.succeeded(address, email);
    // a new session id at login (no session fixation), then a fresh CSRF token
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    req.session.staff = { staffId: staff.id, groupId: staff.groupId, role: staff.role, name: staff.name, producerId: staff.producerId };
    req.session.loggedInAt = Date.now();
    log.info({ staffId: staff.id, role: staff.role }, 'console login');
    res.redirect(303, (form.success && safeNext(form.data.next)) || homeOf(staff.role));
  });

  router.post('/console/logout', (req, res) => {
    req.session.destroy(() => res.redirect(303, '/console/login'));
  });

  router.get('/console', requireRole('coordinator', 'operator', 'delivery_lead', 'producer', 'platform_admin'), (req, res) => res.redirect(303, homeOf(req.session.staff!.role)));
  router.get('/console/welcome', requireRole('coordinator', 'operator', 'delivery_lead', 'producer', 'platform_admin'), (req, res) =>
    render(req, res, 'welcome', { title: 'Bienvenue' }));

  router.use(taskPages({ ...deps, render }));
  router.use(customerImportPages({ ...deps, render }));
  router.use(customerPages({ ...deps, render }));
  router.use(deliveryPages({ ...deps, render }));
  router.use(orderEntryPages({ ...deps, render }));
  router.use(orderPages({ ...deps, render }));
  router.use(weighInPages({ ...deps, render }));
  router.use(sheetPages({ ...deps, render }));
  router.use(cataloguePages({ ...deps, render }));
  router.use(adminPages({ ...deps, render }));
  router.use(groupPages({ ...deps, render }));
  router.use(privacyPages({ ...deps, render }));

  // a form without its CSRF token (or a stale one): a plain French page, nothing done
  router.use('/console', (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (err === csrf.invalidCsrfTokenError) {
      log.warn({ path: req.path }, 'console form refused: bad CSRF token');
      res.status(403).type('html').send('<!doctype html><html lang="fr"><meta charset="utf-8"><title>Formulaire expiré</title><p>Ce formulaire a expiré. <a href="/console">Rechargez la page</a> et recommencez.</p></html>');
      return;
    }
    if (err instanceof ZodError || (err instanceof ValidationError && err.code === 'invalid_input')) {
      log.info({ path: req.path }, 'console request refused: invalid input');
      res.status(400).type('html').send('<!doctype html><html lang="fr"><meta charset="utf-8"><title>Saisie non valable</title><p>Une valeur de cette demande n’est pas valable (caractère non autorisé ou choix inconnu). <a href="/console">Retour</a></p></html>');
      return;
    }
    if (err instanceof AppError && err.status < 500) {
      const message = err.status === 404 ? 'Cette page ou cet élément n’existe pas (ou plus).' : 'Cette demande n’a pas pu être traitée.';
      res.status(err.status).type('html').send(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur</title><p>${message} <a href="/console">Retour</a></p></html>`);
      return;
    }
    next(err);
  });
  return router;
}
