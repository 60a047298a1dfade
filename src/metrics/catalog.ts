export { HOST_METRICS, type HostMetricName } from '../collectors/catalog.ts';
export type { MetricSpec } from '../sources/source.ts';
