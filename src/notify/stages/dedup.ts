import type { Routed } from './route.ts';

/** What dedup needs to know about an alert on a channel. */
export interface SentState {
  /** a firing notification of the current episode has been queued or delivered on this channel */
  firingSent: boolean;
}

export type DedupReason = 'new' | 'already-firing' | 'resolved-not-notified' | 'send-resolved-off' | 'resolved';

export interface DedupDecision extends Routed {
  send: boolean;
  reason: DedupReason;
}

/**
 * A firing already notified as firing on a channel is not sent again; a resolved is sent only when its firing was
 * sent and the channel wants resolved notifications. `state` must reflect earlier decisions in the same batch.
 */
export function dedupDecide(item: Routed, state: SentState | undefined, sendResolved: boolean): DedupDecision {
  const sent = state?.firingSent ?? false;
  if (item.event.kind === 'firing') return { ...item, send: !sent, reason: sent ? 'already-firing' : 'new' };
  if (!sent) return { ...item, send: false, reason: 'resolved-not-notified' };
  if (!sendResolved) return { ...item, send: false, reason: 'send-resolved-off' };
  return { ...item, send: true, reason: 'resolved' };
}
