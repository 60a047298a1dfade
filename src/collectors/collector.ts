import type { MetricSpecs, SourceOutput } from '../sources/source.ts';

/** What one collector returns from one cycle. */
export type CollectorOutput = SourceOutput;

/**
 * A source of host readings: a Source of kind 'host' whose schedule is the sampling interval and timeout
 * (src/wiring/sources.ts adds it). `collect` throws on failure; the scheduler isolates it, times it out and
 * reports it as prodpulse_collector_success{collector}=0. Implementations must honour `signal` where they can.
 */
export interface Collector {
  readonly name: string;
  readonly kind: 'host';
  /** every metric the collector may produce */
  readonly metrics: MetricSpecs;
  collect(signal: AbortSignal): Promise<CollectorOutput>;
}

/** Where a collector reads the host from; swapped in tests and for containers that mount the host. */
export interface HostPaths {
  procfs: string;
  sysfs: string;
  rootfs: string;
}
