/**
 * Missed heartbeat deadlines: the one function the live detector and the offline `analyze` share.
 *
 * Deadlines after a ping at `last` fall at last + k·interval (k = 1, 2, …); deadline k counts as missed once
 * last + k·interval + tolerance < at (strictly: a ping exactly on the grace boundary is on time, as in the
 * analyzer our users run). Equal to floor((at − last − tolerance) / interval) except on exact multiples, where
 * the strict comparison does not yet count the deadline.
 */
export function missedIntervals(last: number, at: number, intervalMs: number, toleranceMs: number): number {
  if (!(intervalMs > 0)) throw new RangeError('interval must be positive');
  const over = at - last - toleranceMs;
  if (!(over > intervalMs)) return 0;
  return Math.ceil(over / intervalMs) - 1;
}
