import { HOST_METRICS } from '../collectors/catalog.ts';
import { HEARTBEAT_METRICS } from '../heartbeats/source.ts';
import { PROBE_METRICS } from '../probes/source.ts';
import type { MetricSpecs } from './source.ts';

/**
 * Every metric any kind of source can produce, whether or not it is configured here: what the config check
 * knows a rule may refer to, and what a dashboard or Grafana panel may query.
 */
export const KNOWN_METRICS: MetricSpecs = { ...HOST_METRICS, ...PROBE_METRICS, ...HEARTBEAT_METRICS };
