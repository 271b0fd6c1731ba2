// A resident asks about their data (RGPD rights): by SMS ("DONNEES", "mes données") or by calling
// the operator. The request becomes a task for the switchboard and the coordinator, who exports or
// erases; the resident is told what we keep and that the answer comes within a month.
import { fold } from '../catalog/reading/normalize.js';
import { privacyText } from '../i18n/privacy.js';
import type { Tx } from '../platform/db/client.js';
import { infoPhoneOf } from './notice.js';
import { loadPrivacySettings } from './settings.js';

/** "DONNEES", "données", "mes données", "mes donnees svp". Pure. */
export function isDataRequest(body: string): boolean {
  const words = fold(body).replace(/[!.,;:?]+/g, ' ').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > 4) return false;
  if (words[0] === 'donnees' || words[0] === 'rgpd') return true;
  return words[0] === 'mes' && words[1] === 'donnees';
}

/** Opens (once while one is open) the task, and says what the resident reads back. */
export async function recordDataRequest(
  tx: Tx,
  input: { group: { id: string; operatorPhone: string | null }; customerId: string; phone: string; channel: 'sms' | 'operator'; note?: string },
  actor: { staffId: string | null },
): Promise<string> {
  const open = await tx.callTask.findFirst({ where: { groupId: input.group.id, customerId: input.customerId, kind: 'data_request', status: { not: 'done' } }, select: { id: true } });
  if (!open) {
    const by = input.channel === 'sms' ? 'Demande reçue par SMS' : 'Demande reçue par téléphone';
    await tx.callTask.create({
      data: { groupId: input.group.id, kind: 'data_request', callerPhone: input.phone, customerId: input.customerId, note: input.note ? `${by} : ${input.note}` : by, assignedToId: actor.staffId },
    });
    await tx.auditEvent.create({
      data: { groupId: input.group.id, actorId: actor.staffId, actorKind: actor.staffId ? 'staff' : 'resident', action: 'privacy.request', entityType: 'Customer', entityId: input.customerId, data: { channel: input.channel } },
    });
  }
  const settings = await loadPrivacySettings(tx, input.group.id);
  return privacyText.dataRequestReply(settings, await infoPhoneOf(tx, input.group));
}
