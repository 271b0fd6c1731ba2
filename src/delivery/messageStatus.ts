// A message's status only moves forward: a late "sent" never overwrites "delivered". Pure.
export type MessageStatus = 'received' | 'pending' | 'sending' | 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export const MESSAGE_STATUS_RANK: Record<MessageStatus, number> = {
  received: 0,
  pending: 1,
  sending: 2,
  queued: 3,
  sent: 4,
  // terminal outcomes share the top rank: the first one to arrive wins
  delivered: 5,
  undelivered: 5,
  failed: 5,
};

export function isMessageStatus(value: string): value is MessageStatus {
  return Object.hasOwn(MESSAGE_STATUS_RANK, value);
}

/** Twilio statuses mapped to ours (Twilio also says accepted, scheduled, read, canceled…). */
export function fromTwilioStatus(value: string): MessageStatus | null {
  const v = value.toLowerCase();
  if (v === 'accepted' || v === 'scheduled') return 'queued';
  if (v === 'read') return 'delivered';
  if (v === 'canceled') return 'failed';
  return isMessageStatus(v) ? v : null;
}

export function movesForward(from: MessageStatus, to: MessageStatus): boolean {
  return MESSAGE_STATUS_RANK[to] > MESSAGE_STATUS_RANK[from];
}
