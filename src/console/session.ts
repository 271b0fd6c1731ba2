// Staff sessions: a cookie pointing at a session kept in Redis (any web instance can serve the
// next request), CSRF tokens bound to the session, a rate-limited login, roles checked server-side.
import crypto from 'node:crypto';
import { RedisStore } from 'connect-redis';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import session from 'express-session';
import type { Redis } from 'ioredis';
import { RedisStore as RateLimitRedisStore, type RedisReply } from 'rate-limit-redis';

export type StaffRole = 'coordinator' | 'operator' | 'delivery_lead' | 'producer';

export interface StaffSession {
  staffId: string;
  groupId: string;
  role: StaffRole;
  name: string;
  producerId: string | null;
}

declare module 'express-session' {
  interface SessionData {
    staff?: StaffSession;
    flash?: string;
  }
}

const EIGHT_HOURS = 8 * 3600_000;

export function sessionMiddleware(opts: { redis: Redis; secret: string; secure: boolean; prefix?: string }): RequestHandler {
  return session({
    name: 'panier.sid',
    store: new RedisStore({ client: opts.redis, prefix: opts.prefix ?? 'panier:sess:' }),
    secret: opts.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: EIGHT_HOURS, path: '/console' },
  });
}

/** The session secret: SESSION_SECRET, else one derived from the Twilio auth token (stable across instances). */
export function sessionSecret(explicit: string | undefined, authToken: string): string {
  return explicit ?? crypto.createHmac('sha256', authToken).update('panier console sessions').digest('hex');
}

export const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
});

/** Resolves once the connection is ready (at once if it is), or rejects after `timeoutMs`. */
function untilReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error('Redis is not reachable'));
    }, timeoutMs) : undefined;
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** Five wrong passwords a quarter of an hour per address, counted in Redis (shared by every instance). */
export function loginRateLimit(redis: Redis, prefix = 'panier:login:'): RequestHandler {
  return rateLimit({
    windowMs: 15 * 60_000,
    limit: 5,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new RateLimitRedisStore({
      prefix,
      sendCommand: async (command: string, ...args: string[]) => {
        // the store loads its script at start, often before the connection is up (the app's
        // connection does not queue commands): wait for Redis rather than lose the script for good
        await untilReady(redis, command === 'SCRIPT' ? Infinity : 10_000);
        return redis.call(command, ...args) as Promise<RedisReply>;
      },
    }),
    handler: (_req, res) => {
      res.status(429).type('html').send('<!doctype html><html lang="fr"><meta charset="utf-8"><title>Trop d’essais</title><p>Trop d’essais de connexion. Réessayez dans un quart d’heure.</p></html>');
    },
  });
}

/** Only staff with one of these roles; anyone else is sent to the login page or refused. */
export function requireRole(...roles: StaffRole[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const staff = req.session.staff;
    if (!staff) return res.redirect(303, `/console/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (!roles.includes(staff.role)) {
      res.status(403).type('html').send('<!doctype html><html lang="fr"><meta charset="utf-8"><title>Accès refusé</title><p>Cette page n’est pas ouverte à votre rôle. <a href="/console">Retour</a></p></html>');
      return;
    }
    next();
  };
}
