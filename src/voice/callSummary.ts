// What is kept of a call once it ends: the path through the menu, how long it lasted, and what came
// of it. Written once, from Twilio's call status callback, for the operator and for tuning the menu.
import type { CallRecord } from './callState.js';

/** Twilio's final call statuses: the call is over. */
export const FINAL_CALL_STATUSES = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export interface CallSummary {
  outcome: string;
  path: string[];
  durationSeconds: number;
  lastNode: string | null;
}

/**
 * The outcome, in one word an operator can filter on: the last durable thing done ("order_placed",
 * "task:call_back", "delivery_requested"), else "transferred" (the switchboard answered),
 * "menu_ended" (the menu said goodbye), "hung_up" (the caller left mid-menu), Twilio's status when
 * the call never got through, or "unknown" when the call's state was lost. Pure.
 */
export function summarise(record: CallRecord | null, callStatus: string, durationSeconds: number | undefined, now: Date): CallSummary {
  const seconds = durationSeconds ?? (record ? Math.max(0, Math.round((now.getTime() - record.startedAt) / 1000)) : 0);
  const path = record?.path ?? [];
  const lastNode = path[path.length - 1] ?? null;
  let outcome: string;
  if (callStatus !== 'completed') outcome = callStatus;
  else if (!record) outcome = 'unknown';
  else if (record.effects.length > 0) outcome = record.effects[record.effects.length - 1]!;
  else if (lastNode === 'done' && path[path.length - 2] === 'operator_dial') outcome = 'transferred';
  else if (lastNode === 'done') outcome = 'menu_ended';
  else outcome = 'hung_up';
  return { outcome, path, durationSeconds: seconds, lastNode };
}
