// The privacy side of the worker's minute sweep: retention (at most hourly per group), carers to
// tell or who sent STOP, and the deletions still owed to Twilio.
import type { Twilio } from 'twilio';
import type { SenderPool } from '../delivery/sender.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import { tellNewCarers } from './carers.js';
import { applyRetention } from './retentionRun.js';
import { processTwilioDeletions } from './twilioDeletions.js';

const HOUR = 3600_000;

export interface PrivacySweepDeps {
  db: Db;
  twilio: Twilio;
  senders: SenderPool;
  log: Logger;
  /** how often a group's retention runs (default hourly) */
  retentionEveryMs?: number;
}

/** Groups whose retention is due, claimed by a conditional upsert so that two workers do not both run it. */
async function claimRetention(db: Db, now: Date, everyMs: number): Promise<string[]> {
  const since = new Date(now.getTime() - everyMs);
  const rows = await db.$queryRaw<{ groupId: string }[]>`
    INSERT INTO "PrivacySettings" ("groupId", "lastRetentionRunAt")
    SELECT id, ${now} FROM "Group"
    ON CONFLICT ("groupId") DO UPDATE SET "lastRetentionRunAt" = EXCLUDED."lastRetentionRunAt"
      WHERE "PrivacySettings"."lastRetentionRunAt" IS NULL OR "PrivacySettings"."lastRetentionRunAt" < ${since}
    RETURNING "groupId"`;
  return rows.map((r) => r.groupId);
}

/**
 * A carer who answered STOP no longer gets copies: they are removed from the resident's record
 * (the audit says so), and the coordinator sees the resident without a carer.
 */
async function removeCarersWhoStopped(db: Db): Promise<number> {
  const stopped = await db.$queryRaw<{ id: string; groupId: string }[]>`
    SELECT r.id, r."groupId" FROM "Customer" r
    JOIN "Customer" carer ON carer."groupId" = r."groupId" AND carer.phone = r."secondaryContactPhone" AND carer."smsOptedOut"
    WHERE carer."smsOptedOutAt" > COALESCE(r."secondaryContactAddedAt", 'epoch'::timestamptz)
    LIMIT 100`;
  for (const r of stopped) {
    await db.$transaction([
      db.customer.update({
        where: { id: r.id },
        data: { secondaryContactName: null, secondaryContactPhone: null, secondaryContactReason: null, secondaryContactAddedById: null, secondaryContactAddedAt: null, secondaryContactToldAt: null },
      }),
      db.auditEvent.create({ data: { groupId: r.groupId, actorKind: 'system', action: 'customer.carer_stopped', entityType: 'Customer', entityId: r.id } }),
    ]);
  }
  return stopped.length;
}

export function createPrivacySweep(deps: PrivacySweepDeps) {
  const log = deps.log.child({ module: 'privacy' });
  return async function privacySweep(now: Date): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const groupId of await claimRetention(deps.db, now, deps.retentionEveryMs ?? HOUR)) {
      const done = await applyRetention({ db: deps.db, groupId, now });
      for (const [k, v] of Object.entries(done)) counts[k] = (counts[k] ?? 0) + v;
    }
    counts.carersStopped = await removeCarersWhoStopped(deps.db);
    counts.carersTold = await tellNewCarers({ db: deps.db, senders: deps.senders, log, now });
    const deletions = await processTwilioDeletions({ db: deps.db, twilio: deps.twilio, log, now });
    counts.twilioDeleted = deletions.deleted;
    counts.twilioDeleteFailed = deletions.failed;
    return counts;
  };
}
