import type { AlertEvent } from '../types.ts';
import type { Routed } from './route.ts';
import { neverDue, type Pacer } from '../../lib/slice.ts';

/**
 * Everything for one channel in one evaluation becomes one message: channel → events in arrival order. A
 * fingerprint appears once per kind per channel (a reminder never doubles an event already in the message).
 * Paced every 256 items (src/lib/slice.ts).
 */
export async function groupByChannel(items: readonly Routed[], pacer: Pacer = neverDue): Promise<Map<string, AlertEvent[]>> {
  const groups = new Map<string, AlertEvent[]>();
  const seen = new Map<string, Set<string>>(); // channel → fingerprint\0kind
  let n = 0;
  for (const { channel, event } of items) {
    if (++n % 256 === 0 && pacer.due()) await pacer.yield();
    let keys = seen.get(channel);
    if (!keys) seen.set(channel, (keys = new Set()));
    const key = `${event.fingerprint}\u0000${event.kind}`;
    if (keys.has(key)) continue;
    keys.add(key);
    let list = groups.get(channel);
    if (!list) groups.set(channel, (list = []));
    list.push(event);
  }
  return groups;
}
