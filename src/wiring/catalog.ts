import { HOST_METRICS } from '../collectors/catalog.ts';
import { HEARTBEAT_METRICS } from '../heartbeats/source.ts';
import { PROBE_METRICS } from '../probes/source.ts';
import type { MetricSpecs } from '../sources/source.ts';

/**
 * Every metric any kind of source can produce, whether or not it is configured here: what the config check
 * knows a rule may refer to, and what a dashboard or Grafana panel may query.
 */
export const KNOWN_METRICS: MetricSpecs = { ...HOST_METRICS, ...PROBE_METRICS, ...HEARTBEAT_METRICS };

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
