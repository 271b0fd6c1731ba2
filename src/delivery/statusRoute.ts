import { Router } from 'express';
import { z } from 'zod';
import { isUniqueViolation, type Db } from '../platform/db/client.js';
import { runHot } from '../platform/db/hotStatement.js';
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

/**
 * A status that is news, not trouble: the event recorded once per (message, status) and the
 * message moved forward only, in one statement on the pg pool (every SMS sent brings two or three
 * of these). False when no message matches.
 */
async function recordProgress(db: Db, cb: { messageId?: string; messageSid: string; status: MessageStatus; errorCode: number | null }): Promise<boolean> {
  const byId = cb.messageId !== undefined;
  // one prepared statement per way of finding the message: a single one with an OR of both would
  // get a generic plan scanning the whole table
  const sql = `
    WITH m AS (
      SELECT id FROM "Message" WHERE ${byId ? 'id = $1' : '$1::text IS NULL AND "twilioSid" = $2'}
    ), event AS (
      INSERT INTO "MessageStatusEvent" (id, "messageId", status, "errorCode", "receivedAt")
      SELECT gen_random_uuid(), m.id, $3::"MessageStatus", $4, now() FROM m
      ON CONFLICT ("messageId", status) DO NOTHING
      RETURNING "messageId"
    ), moved AS (
      UPDATE "Message" SET status = $3::"MessageStatus", "errorCode" = COALESCE($4, "errorCode"), "twilioSid" = COALESCE("twilioSid", $2), "updatedAt" = now()
      WHERE id IN (SELECT "messageId" FROM event) AND ${CURRENT_RANK} < $5
      RETURNING id
    )
    SELECT count(*)::int AS known FROM m`;
  const values = [cb.messageId ?? null, cb.messageSid, cb.status, cb.errorCode, MESSAGE_STATUS_RANK[cb.status]];
  const rows = await runHot<{ known: number }>(db, byId ? 'message-status-by-id' : 'message-status-by-sid', sql, values);
  return (rows[0]?.known ?? 0) > 0;
}

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
    if (status && status !== 'undelivered' && status !== 'failed') {
      // the common case (queued, sent, delivered: two per message sent) in one statement
      const known = await recordProgress(deps.db, { messageId, messageSid: cb.MessageSid, status, errorCode: cb.ErrorCode ?? null });
      if (!known) log.warn({ messageSid: cb.MessageSid, status: cb.MessageStatus, known }, 'status callback ignored');
      res.status(204).end();
      return;
    }
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
        if (message.direction === 'outbound') {
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
