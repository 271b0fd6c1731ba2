// The queue dashboard (@bull-board) at /console/queues, for coordinators: the outbox, each sender's
// SMS queue, notice calls and the minute sweep. Queues are opened on the first visit only.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Router, type Request, type RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { smsQueueName } from '../delivery/sender.js';
import type { Db } from '../platform/db/client.js';
import { QUEUE_NAMES } from '../platform/queues.js';
import { requireRole } from './session.js';

export const QUEUES_PATH = '/console/queues';

/**
 * The dashboard's own scripts post JSON without the console's CSRF token: its mutating calls
 * (retry, pause, clean…) are taken only from a page of this site. Browsers send Origin (and
 * Sec-Fetch-Site) with every such fetch and another site cannot forge them.
 */
export function sameOrigin(req: Request, publicBaseUrl: string): boolean {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return true;
  const fetchSite = req.header('sec-fetch-site');
  if (fetchSite) return fetchSite === 'same-origin';
  const origin = req.header('origin');
  return Boolean(origin) && (origin === new URL(publicBaseUrl).origin || origin === `${req.protocol}://${req.get('host')}`);
}

export function queueDashboard(deps: { db: Db; redis: Redis; queuePrefix: string; publicBaseUrl: string }): Router {
  const router = Router();
  let board: RequestHandler | null = null;
  let opening: Promise<RequestHandler> | null = null;

  async function open(): Promise<RequestHandler> {
    const groups = await deps.db.group.findMany({ include: { numbers: true } });
    const senders = new Set(groups.flatMap((g) => [...(g.smsSender ? [g.smsSender] : []), ...g.numbers.map((n) => n.phone)]));
    const names = [QUEUE_NAMES.outbox, ...[...senders].map(smsQueueName), 'calls', 'sweep'];
    const connection = deps.redis as ConnectionOptions;
    const adapter = new ExpressAdapter();
    adapter.setBasePath(QUEUES_PATH);
    createBullBoard({ queues: names.map((n) => new BullMQAdapter(new Queue(n, { connection, prefix: deps.queuePrefix }), { readOnlyMode: false })), serverAdapter: adapter });
    return adapter.getRouter() as RequestHandler;
  }

  router.use(QUEUES_PATH, requireRole('coordinator'), async (req, res, next) => {
    if (!sameOrigin(req, deps.publicBaseUrl)) {
      res.status(403).type('text/plain').send('cross-site request refused');
      return;
    }
    if (!board) board = await (opening ??= open());
    board(req, res, next);
  });
  return router;
}
