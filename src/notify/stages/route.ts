import type { AlertEvent } from '../types.ts';

/** One event bound for one channel. */
export interface Routed {
  channel: string;
  event: AlertEvent;
}

/** Fans each event out to its channels (the rule's `channels:` or defaults.channels), keeping event order. */
export function route(events: readonly AlertEvent[], channelsFor: (event: AlertEvent) => readonly string[]): Routed[] {
  const out: Routed[] = [];
  for (const event of events) for (const channel of new Set(channelsFor(event))) out.push({ channel, event });
  return out;
}
