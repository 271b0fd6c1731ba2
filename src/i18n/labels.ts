// French labels of the domain's values, for staff pages and exports.
export const CHANNEL_LABELS: Record<string, string> = { sms: 'SMS', voice: 'telephone (menu vocal)', operator: 'standard' };
export const FULFILMENT_LABELS: Record<string, string> = { pickup: 'retrait', delivery: 'livraison' };
export const UNIT_LABELS: Record<string, string> = { piece: 'piece', kg: 'kg', g100: '100 g', litre: 'litre' };
export const DELIVERY_STATUS_LABELS: Record<string, string> = {
  requested: 'À attribuer', assigned: 'Attribuée', accepted: 'Acceptée', out_for_delivery: 'En route',
  delivered: 'Livrée', failed: 'Échec', cancelled: 'Annulée',
};

/** "1234,50": an amount in euros as French spreadsheets read it (no sign, decimal comma). */
export function euroAmount(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}
