import type { AlertEvent } from '../types.ts';
import type { Routed } from './route.ts';

/**
 * Everything for one channel in one evaluation becomes one message: channel → events in arrival order. A
 * fingerprint appears once per kind per channel (a reminder never doubles an event already in the message).
 */
export function groupByChannel(items: readonly Routed[]): Map<string, AlertEvent[]> {
  const groups = new Map<string, AlertEvent[]>();
  const seen = new Set<string>();
  for (const { channel, event } of items) {
    const key = `${channel}\u0000${event.fingerprint}\u0000${event.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let list = groups.get(channel);
    if (!list) groups.set(channel, (list = []));
    list.push(event);
  }
  return groups;
}
