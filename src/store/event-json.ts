import type { AlertEvent } from '../rules/alert.ts';

// one event is stored several times (its notification record per channel, each channel's outbox row):
// serialise it once
const cache = new WeakMap<AlertEvent, string>();

/** JSON.stringify(e), computed once per event object. Events are not mutated after they are emitted. */
export function eventJson(e: AlertEvent): string {
  let j = cache.get(e);
  if (j === undefined) cache.set(e, (j = JSON.stringify(e)));
  return j;
}

/** JSON.stringify(events), from the per-event strings. */
export function eventsJson(events: readonly AlertEvent[]): string {
  return `[${events.map(eventJson).join(',')}]`;
}
