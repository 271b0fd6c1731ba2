// A reply the webhook could not give (the text was journaled and replayed later) leaves through
// the sender queue like any message, instead of the TwiML answer that was already sent empty.
import type { Db } from '../platform/db/client.js';

export interface LateReplyDeps {
  db: Db;
  enqueue: (m: { id: string; channel: 'sms'; fromPhone: string; priority: number }) => Promise<void>;
  priority: number;
}

export function createLateReply(deps: LateReplyDeps) {
  return async function sendLateReply(messageSid: string): Promise<void> {
    const inbound = await deps.db.message.findUnique({ where: { twilioSid: messageSid }, select: { id: true } });
    if (!inbound) return;
    // replies written for TwiML are 'queued' without a Twilio sid; a replay run twice claims them once
    const replies = await deps.db.message.findMany({ where: { inReplyToId: inbound.id, direction: 'outbound', status: 'queued', twilioSid: null }, select: { id: true, fromPhone: true } });
    for (const r of replies) {
      const claimed = await deps.db.message.updateMany({ where: { id: r.id, status: 'queued', twilioSid: null }, data: { status: 'pending' } });
      if (claimed.count === 1) await deps.enqueue({ id: r.id, channel: 'sms', fromPhone: r.fromPhone, priority: deps.priority });
    }
  };
}
