// One retention pass over a group: what is past its period is erased (here, and queued for
// deletion at Twilio), and the run writes its counts — never content — to the audit log.
import type { Db } from '../platform/db/client.js';
import { eraseResident } from './erasure.js';
import { inactivityStep, retentionCutoffs } from './retention.js';
import { loadPrivacySettings } from './settings.js';
import { scheduleTwilioDeletions } from './twilioDeletions.js';

export interface RetentionCounts {
  recordings: number;
  messageBodies: number;
  callTranscripts: number;
  residentsWarned: number;
  residentsAnonymised: number;
  auditRows: number;
  accessLogRows: number;
}

/** Rows touched per kind and run: a backlog is worked off over a few runs, never in one long transaction. */
const BATCH = 500;
const TX = { maxWait: 10_000, timeout: 60_000 };

export async function applyRetention(deps: { db: Db; groupId: string; now: Date }): Promise<RetentionCounts> {
  const { db, groupId, now } = deps;
  const settings = await loadPrivacySettings(db, groupId);
  const cut = retentionCutoffs(settings, now);
  const counts: RetentionCounts = { recordings: 0, messageBodies: 0, callTranscripts: 0, residentsWarned: 0, residentsAnonymised: 0, auditRows: 0, accessLogRows: 0 };

  await db.$transaction(async (tx) => {
    // recordings: once the task is done and the period has passed
    const tasks = await tx.callTask.findMany({
      where: { groupId, status: 'done', recordingDeletedAt: null, doneAt: { lt: cut.recordingsOfTasksDoneBefore }, OR: [{ recordingSid: { not: null } }, { recordingUrl: { not: null } }] },
      select: { id: true, recordingSid: true }, take: BATCH,
    });
    await scheduleTwilioDeletions(tx, groupId, 'recording', tasks.map((t) => t.recordingSid), 'retention');
    counts.recordings = (await tx.callTask.updateMany({ where: { id: { in: tasks.map((t) => t.id) } }, data: { recordingSid: null, recordingUrl: null, recordingDeletedAt: now } })).count;

    // SMS bodies (in and out: a courier's dispatch carries an address); the row stays for the order
    const messages = await tx.message.findMany({
      where: { groupId, bodyErasedAt: null, createdAt: { lt: cut.messagesBefore }, status: { notIn: ['pending', 'sending'] } },
      select: { id: true, twilioSid: true }, take: BATCH,
    });
    await scheduleTwilioDeletions(tx, groupId, 'message', messages.map((m) => m.twilioSid), 'retention');
    counts.messageBodies = (await tx.message.updateMany({ where: { id: { in: messages.map((m) => m.id) } }, data: { body: '', bodyErasedAt: now } })).count;

    // call transcripts: the menu's state (what was said) and the TwiML kept for replays
    counts.callTranscripts = await tx.$executeRaw`
      UPDATE "CallSession" SET data = '{}'::jsonb WHERE "groupId" = ${groupId} AND "startedAt" < ${cut.messagesBefore} AND data <> '{}'::jsonb`;
    await tx.$executeRaw`
      DELETE FROM "WebhookReceipt" WHERE "receivedAt" < ${cut.messagesBefore} AND key LIKE 'voice:%'
        AND split_part(key, ':', 2) IN (SELECT "callSid" FROM "CallSession" WHERE "groupId" = ${groupId})`;

    await tx.outboxEvent.updateMany({ where: { groupId, createdAt: { lt: cut.messagesBefore }, lastError: { not: null } }, data: { lastError: null } });
    counts.auditRows = (await tx.auditEvent.deleteMany({ where: { groupId, createdAt: { lt: cut.auditBefore } } })).count;
    counts.accessLogRows = (await tx.accessLogEntry.deleteMany({ where: { groupId, at: { lt: cut.accessLogBefore } } })).count;
    await tx.twilioDeletion.deleteMany({ where: { groupId, doneAt: { lt: cut.auditBefore } } });
  }, TX);

  // residents with no order for the period: the coordinator is warned, then they are anonymised
  const candidates = await db.$queryRaw<{ id: string; lastActivityAt: Date; inactivityWarnedAt: Date | null; hasOpenOrder: boolean }[]>`
    SELECT c.id, COALESCE(MAX(o."createdAt"), c."createdAt") AS "lastActivityAt", c."inactivityWarnedAt",
           COALESCE(BOOL_OR(o.status IN ('draft', 'confirmed', 'ready')), false) AS "hasOpenOrder"
    FROM "Customer" c LEFT JOIN "Order" o ON o."customerId" = c.id
    WHERE c."groupId" = ${groupId} AND c."anonymisedAt" IS NULL
    GROUP BY c.id
    HAVING COALESCE(MAX(o."createdAt"), c."createdAt") < ${cut.inactiveSince} OR c."inactivityWarnedAt" IS NOT NULL
    LIMIT ${BATCH}`;
  for (const r of candidates) {
    const step = inactivityStep(r, cut);
    if (step === 'active') {
      // they ordered again after the warning: nothing to do
      await db.customer.updateMany({ where: { id: r.id, inactivityWarnedAt: { not: null } }, data: { inactivityWarnedAt: null } });
    } else if (step === 'warn') {
      counts.residentsWarned += (await db.customer.updateMany({ where: { id: r.id, inactivityWarnedAt: null }, data: { inactivityWarnedAt: now } })).count;
    } else if (step === 'anonymise') {
      await db.$transaction(async (tx) => {
        // checked again under the lock: an order placed meanwhile keeps them
        const recent = await tx.order.count({ where: { customerId: r.id, OR: [{ createdAt: { gte: cut.inactiveSince } }, { status: { in: ['draft', 'confirmed', 'ready'] } }] } });
        if (recent > 0) return;
        await eraseResident(tx, { groupId, customerId: r.id, reason: 'retention', now }, { staffId: null });
        counts.residentsAnonymised++;
      }, TX);
    }
  }

  if (Object.values(counts).some((n) => n > 0)) {
    await db.auditEvent.create({ data: { groupId, actorKind: 'system', action: 'privacy.retention', entityType: 'Group', entityId: groupId, data: { ...counts } } });
  }
  return counts;
}
