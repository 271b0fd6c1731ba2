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

export type StaffRole = 'coordinator' | 'operator' | 'delivery_lead' | 'producer' | 'platform_admin';

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
    /** when the staff member logged in (ms): a session ends SESSION_MAX_AGE after it, active or not */
    loggedInAt?: number;
  }
}

const EIGHT_HOURS = 8 * 3600_000;
/** However active, a session ends this long after its login (a stolen cookie does not live forever). */
export const SESSION_MAX_AGE_MS = 12 * 3600_000;

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
export function untilReady(redis: Redis, timeoutMs: number): Promise<void> {
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

/**
 * Requests to the console from anyone not logged in (the login page, redirects, probes): 60 a
 * minute per address, counted in Redis (one short-lived counter per address, nothing else kept).
 */
export function anonymousRateLimit(redis: Redis, prefix: string, perMinute = 60): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    skip: (req) => Boolean(req.session?.staff),
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
      res.status(429).type('html').send('<!doctype html><html lang="fr"><meta charset="utf-8"><title>Trop de demandes</title><p>Trop de demandes depuis votre connexion. Réessayez dans une minute.</p></html>');
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
