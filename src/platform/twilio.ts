import twilio, { type Twilio } from 'twilio';
import type { NextFunction, Request, Response } from 'express';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import type { Logger } from './logger.js';

type TwilioRequestOptions<T> = TwilioRequestClient.RequestOptions<T>;

const { RequestClient } = twilio;

/**
 * Sends every Twilio REST call to `baseUrl` instead of Twilio's hosts, keeping the path:
 * https://api.twilio.com/2010-04-01/Accounts/AC…/Messages.json → <baseUrl>/2010-04-01/Accounts/AC…/Messages.json.
 * Used by demo mode (the local stand-in) and by tests (nock).
 */
export class BaseUrlRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 10_000 });
  }

  override request<T>(opts: TwilioRequestOptions<T>) {
    const original = new URL(opts.uri);
    const base = this.baseUrl.replace(/\/+$/, '');
    return super.request<T>({ ...opts, uri: `${base}${original.pathname}${original.search}` });
  }
}

export function createTwilioClient(accountSid: string, authToken: string, apiBaseUrl?: string): Twilio {
  return twilio(accountSid, authToken, apiBaseUrl ? { httpClient: new BaseUrlRequestClient(apiBaseUrl) } : {});
}

/**
 * Rejects (403, nothing done) any webhook whose X-Twilio-Signature does not match
 * PUBLIC_BASE_URL + the original path and query. Using the configured public URL rather than the
 * Host header keeps it right behind a reverse proxy or tunnel.
 */
export function twilioSignatureGuard(opts: { authToken: string; publicBaseUrl: string; log: Logger }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const signature = req.header('x-twilio-signature');
    const url = `${opts.publicBaseUrl}${req.originalUrl}`;
    const params = (req.body ?? {}) as Record<string, unknown>;
    if (!signature || !twilio.validateRequest(opts.authToken, signature, url, params)) {
      opts.log.warn({ path: req.path, hasSignature: Boolean(signature) }, 'rejected webhook: bad Twilio signature');
      res.status(403).type('text/plain').send('Invalid Twilio signature');
      return;
    }
    next();
  };
}
