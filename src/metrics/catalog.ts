export { HOST_METRICS, type HostMetricName } from '../collectors/catalog.ts';
export type { MetricSpec } from '../sources/source.ts';
import { KNOWN_METRICS } from '../sources/catalog.ts';

/** metric name → the label names its series carry */
export type MetricLabelMap = Readonly<Record<string, readonly string[]>>;

/** Merges sets of metric specs (host, probes, heartbeats, …) into one metric → label names map. */
export function metricLabelMap(...specSets: readonly Readonly<Record<string, { labels: readonly string[] }>>[]): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const specs of specSets) for (const [name, spec] of Object.entries(specs)) out[name] = spec.labels;
  return out;
}

/** Every metric a rule can name whose labels are known ahead: every kind of source's specs. */
export const KNOWN_METRIC_LABELS: MetricLabelMap = metricLabelMap(KNOWN_METRICS);
