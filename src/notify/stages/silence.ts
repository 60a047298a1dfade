import type { Routed } from './route.ts';

export interface SilenceStageResult<S> {
  kept: Routed[];
  silenced: Array<Routed & { silence: S }>;
}

/** Splits routed events into those that go on and those muted by a silence or maintenance window. */
export function silenceStage<S>(items: readonly Routed[], mutedBy: (labels: Record<string, string>) => S | undefined): SilenceStageResult<S> {
  const kept: Routed[] = [];
  const silenced: Array<Routed & { silence: S }> = [];
  const cache = new Map<string, S | undefined>();
  for (const item of items) {
    const fp = item.event.fingerprint;
    if (!cache.has(fp)) cache.set(fp, mutedBy(item.event.labels));
    const silence = cache.get(fp);
    if (silence === undefined) kept.push(item);
    else silenced.push({ ...item, silence });
  }
  return { kept, silenced };
}
