// Where a text's reply is, seen from the demo phone: the webhook only takes the text now, and the
// worker answers it later through the sender queue. A reply has reached Twilio (here the stand-in)
// once its row carries Twilio's SID: that is what a phone would receive.
import type { Db } from '../platform/db/client.js';

export type ReplyState =
  /** the reply reached Twilio (the stand-in) */
  | { state: 'answered'; replies: string[]; status: string }
  /** the text was handled and nothing is answered (STOP, a number no group owns) */
  | { state: 'no_reply'; replies: [] }
  /** not answered yet: the worker has not taken it, or the reply has not left */
  | { state: 'waiting'; replies: []; stage: 'not_stored' | 'not_handled' | 'not_sent' };

export async function replyStateOf(db: Db, messageSid: string): Promise<ReplyState> {
  const inbound = await db.message.findUnique({ where: { twilioSid: messageSid }, select: { id: true, processedAt: true } });
  // not stored: the database was away and the text waits in the journal
  if (!inbound) return { state: 'waiting', replies: [], stage: 'not_stored' };
  if (!inbound.processedAt) return { state: 'waiting', replies: [], stage: 'not_handled' };
  const reply = await db.message.findFirst({ where: { inReplyToId: inbound.id, direction: 'outbound' }, select: { body: true, status: true, twilioSid: true } });
  if (!reply) return { state: 'no_reply', replies: [] };
  if (!reply.twilioSid) return { state: 'waiting', replies: [], stage: 'not_sent' };
  return { state: 'answered', replies: [reply.body], status: reply.status };
}

/** Waits for the reply to a text, up to `timeoutMs`; 'waiting' past it. */
export async function waitForReply(db: Db, messageSid: string, timeoutMs: number, pollMs = 100): Promise<ReplyState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await replyStateOf(db, messageSid);
    if (state.state !== 'waiting' || Date.now() >= deadline) return state;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
