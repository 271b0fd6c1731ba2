// The order window of a distribution. Pure.
export interface DistributionWindow {
  status: 'scheduled' | 'closed' | 'done' | 'cancelled';
  opensAt: Date;
  closesAt: Date;
}

export type WindowState = 'not_yet_open' | 'open' | 'closed';

export function windowState(d: DistributionWindow, now: Date): WindowState {
  if (d.status !== 'scheduled') return 'closed';
  if (now < d.opensAt) return 'not_yet_open';
  if (now >= d.closesAt) return 'closed';
  return 'open';
}
