// The database at a call's start: who is calling, the call's row (tasks and recordings attach to
// it), and the facts the menu needs about the caller, in one transaction. The rest of the call runs
// from Redis until something durable happens.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { GroupSummary } from '../catalog/groups.js';
import type { CatalogCache } from '../catalog/openCatalog.js';
import type { Db } from '../platform/db/client.js';
import { withFirstCallNotice } from '../privacy/notice.js';
import { callContextOf, loadCallerFacts, OperatorHoursSchema } from './callContext.js';
import { CALL_STATE_TTL_MS, type CallRecord } from './callState.js';
import { initialState, restart, start, type Transition } from './menu.js';

const TX_OPTIONS = { maxWait: 10_000, timeout: 12_000 };

export interface IncomingCall {
  callSid: string;
  /** E.164 when it reads as a number */
  from: string;
  to: string;
  group: GroupSummary;
}

/**
 * 'start': the call comes in (greeting, and the privacy notice the first time); 'restart': its
 * state was lost mid-call (an apology, then the main menu). Null: the call already ended.
 */
export async function openCall(
  deps: { db: Db; catalogs: CatalogCache },
  call: IncomingCall,
  mode: 'start' | 'restart',
  now: Date,
): Promise<{ record: CallRecord; transition: Transition } | null> {
  const { group } = call;
  return deps.db.$transaction(async (tx) => {
    const customer = await tx.customer.findUnique({ where: { groupId_phone: { groupId: group.id, phone: call.from } }, select: { id: true } });
    // a retried incoming webhook, or a restart, finds the row the call already has
    const [inserted] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO "CallSession" (id, "groupId", "callSid", "fromPhone", "toPhone", "customerId", "expiresAt")
      VALUES (${crypto.randomUUID()}, ${group.id}, ${call.callSid}, ${call.from}, ${call.to}, ${customer?.id ?? null}, ${new Date(now.getTime() + CALL_STATE_TTL_MS)})
      ON CONFLICT ("callSid") DO NOTHING RETURNING id`;
    let session = inserted ? { id: inserted.id, customerId: customer?.id ?? null } : null;
    if (!session) {
      const existing = await tx.callSession.findUniqueOrThrow({ where: { callSid: call.callSid }, select: { id: true, customerId: true, endedAt: true } });
      if (existing.endedAt) return null;
      session = { id: existing.id, customerId: existing.customerId ?? customer?.id ?? null };
    }
    const settings = await tx.group.findUniqueOrThrow({ where: { id: group.id }, select: { operatorHours: true } });
    // hours the menu cannot read fail the call loudly (an apology, logged), never a guess
    const operatorHours = z.array(OperatorHoursSchema).parse(settings.operatorHours);
    const facts = await loadCallerFacts(
      tx,
      { groupId: group.id, groupName: group.name, timeZone: group.timeZone, operatorPhone: group.operatorPhone, operatorHours, customerId: session.customerId },
      deps.catalogs,
      now,
    );
    const ctx = callContextOf(facts, await deps.catalogs(tx, group.id), now);
    const transition = mode === 'start' ? await withFirstCallNotice(tx, session.customerId, now, start(ctx)) : restart(ctx);
    const record: CallRecord = {
      callSessionId: session.id, groupId: group.id, fromPhone: call.from, customerId: session.customerId,
      voice: { name: group.voiceName, language: group.voiceLanguage }, facts,
      menu: initialState(), step: 0, path: [], effects: [], startedAt: now.getTime(),
    };
    return { record, transition };
  }, TX_OPTIONS);
}
