import { hostInfoReading, STATIC_METRICS, type StaticFacts } from './static-facts.ts';
import type { FedSource } from '../sources/source.ts';

/** host_info and the other facts read once at start, served with every snapshot. */
export function createStaticSource(facts: StaticFacts): FedSource {
  const output = { readings: [hostInfoReading(facts)], summary: facts };
  return {
    name: 'static',
    kind: 'static',
    fed: true,
    metrics: STATIC_METRICS,
    read: () => ({ readings: [...output.readings], summary: output.summary }),
  };
}
