// Who saw what: every console view of a resident's address, phone or recording is written here
// (who, when, which resident, which page). Coordinators read it; it goes into the resident's export.
import type { Db } from '../platform/db/client.js';

/** The pages that show personal data, by the name the coordinator reads in the access log. */
export const ACCESS_PAGES = {
  customers: 'Habitants (recherche)',
  customer: 'Fiche habitant',
  orders: 'Commandes (liste)',
  order: 'Commande (détail)',
  orderEntry: 'Commande par téléphone',
  deliveries: 'Livraisons',
  deliveriesCsv: 'Livraisons (CSV)',
  ordersCsv: 'Commandes (CSV)',
  tasks: 'À traiter',
  recording: 'Enregistrement écouté',
  export: 'Export de ses données',
} as const;

export type AccessPage = keyof typeof ACCESS_PAGES;

/** One row per resident shown; called by the console route that shows them, after it read them. */
export async function logAccess(db: Db, staff: { staffId: string; groupId: string }, customerIds: (string | null | undefined)[], page: AccessPage, now = new Date()): Promise<void> {
  const ids = [...new Set(customerIds.filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return;
  await db.accessLogEntry.createMany({ data: ids.map((customerId) => ({ groupId: staff.groupId, staffId: staff.staffId, customerId, page, at: now })) });
}
