import { Router } from 'express';
import { z } from 'zod';
import { isUniqueViolation, type Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { parseWebhook } from '../platform/webhook.js';
import { markUnreachable } from './unreachable.js';
import { MESSAGE_STATUS_RANK, fromTwilioStatus, type MessageStatus } from './messageStatus.js';

const StatusCallback = z.object({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().min(1),
  ErrorCode: z.coerce.number().int().optional(),
});

const StatusQuery = z.object({ messageId: z.uuid().optional() });

export interface StatusRouteDeps {
  db: Db;
  log: Logger;
}

function rankSql(): string {
  const cases = Object.entries(MESSAGE_STATUS_RANK).map(([s, r]) => `WHEN '${s}' THEN ${r}`).join(' ');
  return `CASE status::text ${cases} END`;
}
const CURRENT_RANK = rankSql();

/** POST /twilio/status: message status callbacks, idempotent on (message, status), forward only. */
export function statusRouter(deps: StatusRouteDeps): Router {
  const router = Router();
  const log = deps.log.child({ module: 'status' });

  router.post('/twilio/status', async (req, res) => {
    // the number's own StatusCallback (set by `twilio connect`) reports calls: nothing to record
    if ((req.body as Record<string, unknown>).CallSid && !(req.body as Record<string, unknown>).MessageSid) {
      res.status(204).end();
      return;
    }
    const cb = parseWebhook(StatusCallback, req.body);
    const { messageId } = parseWebhook(StatusQuery, req.query);
    const status = fromTwilioStatus(cb.MessageStatus);
    const message = messageId
      ? await deps.db.message.findUnique({ where: { id: messageId } })
      : await deps.db.message.findUnique({ where: { twilioSid: cb.MessageSid } });
    if (!status || !message) {
      log.warn({ messageSid: cb.MessageSid, status: cb.MessageStatus, known: Boolean(message) }, 'status callback ignored');
      res.status(204).end();
      return;
    }
    try {
      await deps.db.$transaction(async (tx) => {
        await tx.messageStatusEvent.create({ data: { messageId: message.id, status, errorCode: cb.ErrorCode } });
        await tx.$executeRawUnsafe(
          `UPDATE "Message" SET status = $1::"MessageStatus", "errorCode" = COALESCE($2, "errorCode"),
             "twilioSid" = COALESCE("twilioSid", $3), "updatedAt" = now()
           WHERE id = $4 AND ${CURRENT_RANK} < $5`,
          status, cb.ErrorCode ?? null, cb.MessageSid, message.id, MESSAGE_STATUS_RANK[status as MessageStatus],
        );
        // the carrier could not deliver it: the operator tells the resident by phone
        if ((status === 'undelivered' || status === 'failed') && message.direction === 'outbound') {
          await markUnreachable(tx, message.id, { code: cb.ErrorCode ?? null, optedOut: cb.ErrorCode === 21610 });
        }
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // the same (message, status) again: nothing changes twice
    }
    res.status(204).end();
  });

  return router;
}
