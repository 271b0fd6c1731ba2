// Recordings and messages to delete at Twilio. The rows are written in the transaction that erases
// the data here; this sends the DELETEs (Recordings and Messages APIs) and keeps what failed for
// the next sweep. A 404 means Twilio no longer has it: done.
import type { Twilio } from 'twilio';
import type { Db, Tx } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';

export type TwilioDeletionKind = 'recording' | 'message';
export type DeletionReason = 'retention' | 'erasure';

/** Twilio's SIDs: RE… recordings, SM/MM… messages; anything else was never Twilio's. */
const SID = { recording: /^RE[0-9a-f]{32}$/i, message: /^(SM|MM)[0-9a-f]{32}$/i } as const;

export async function scheduleTwilioDeletions(tx: Tx, groupId: string, kind: TwilioDeletionKind, sids: (string | null)[], reason: DeletionReason): Promise<number> {
  const data = [...new Set(sids.filter((s): s is string => Boolean(s && SID[kind].test(s))))].map((sid) => ({ groupId, kind, sid, reason }));
  if (data.length === 0) return 0;
  const { count } = await tx.twilioDeletion.createMany({ data, skipDuplicates: true });
  return count;
}

/** Gives up on a SID after this many tries (the coordinator's page shows it). */
export const MAX_DELETION_ATTEMPTS = 20;

export interface DeletionResult {
  deleted: number;
  failed: number;
}

export async function processTwilioDeletions(deps: { db: Db; twilio: Twilio; log: Logger; now: Date; groupId?: string; limit?: number }): Promise<DeletionResult> {
  const pending = await deps.db.twilioDeletion.findMany({
    where: { doneAt: null, attempts: { lt: MAX_DELETION_ATTEMPTS }, ...(deps.groupId ? { groupId: deps.groupId } : {}) },
    orderBy: { createdAt: 'asc' },
    take: deps.limit ?? 50,
  });
  const result: DeletionResult = { deleted: 0, failed: 0 };
  for (const d of pending) {
    try {
      if (d.kind === 'recording') await deps.twilio.recordings(d.sid).remove();
      else await deps.twilio.messages(d.sid).remove();
      await deps.db.twilioDeletion.update({ where: { id: d.id }, data: { doneAt: deps.now, attempts: { increment: 1 }, lastError: null } });
      result.deleted++;
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404) {
        await deps.db.twilioDeletion.update({ where: { id: d.id }, data: { doneAt: deps.now, attempts: { increment: 1 }, lastError: 'absent chez Twilio' } });
        result.deleted++;
        continue;
      }
      // a message still being delivered cannot be deleted yet (20009), Twilio may be down: later
      const code = (err as { code?: number }).code;
      await deps.db.twilioDeletion.update({ where: { id: d.id }, data: { attempts: { increment: 1 }, lastError: `${status ?? 'réseau'}${code ? ` ${code}` : ''}` } });
      deps.log.warn({ kind: d.kind, status, code }, 'Twilio deletion failed: retried at the next sweep');
      result.failed++;
    }
  }
  return result;
}
