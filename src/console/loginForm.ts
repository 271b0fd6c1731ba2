// The login form's CSRF protection without a stored session (a signed double-submit cookie):
// anonymous visits keep nothing on the server, so loading the login page in a loop cannot fill
// the Redis the notification queue needs. The browser gets a random nonce in a cookie only the
// login path sees; the form carries HMAC(secret, nonce). Another site can make a browser post the
// form, but can neither read the cookie nor compute the token.
import crypto from 'node:crypto';
import type { Request, Response } from 'express';

const COOKIE = 'panier.login';
const NONCE = /^[A-Za-z0-9_-]{24}$/;

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function createLoginFormGuard(opts: { secret: string; secure: boolean }) {
  const tokenOf = (nonce: string) => crypto.createHmac('sha256', opts.secret).update(`console login form ${nonce}`).digest('base64url');
  return {
    /** The form's token; gives the browser a nonce cookie when it has none. */
    issue(req: Request, res: Response): string {
      let nonce = cookieOf(req, COOKIE);
      if (!nonce || !NONCE.test(nonce)) {
        nonce = crypto.randomBytes(18).toString('base64url');
        res.cookie(COOKIE, nonce, { httpOnly: true, sameSite: 'strict', secure: opts.secure, path: '/console/login', maxAge: 12 * 3600_000 });
      }
      return tokenOf(nonce);
    },
    /** True when the posted token matches the browser's nonce cookie. */
    valid(req: Request): boolean {
      const nonce = cookieOf(req, COOKIE);
      const posted = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (!nonce || !NONCE.test(nonce) || typeof posted !== 'string') return false;
      const expected = Buffer.from(tokenOf(nonce));
      const given = Buffer.from(posted);
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    },
  };
}
