import type { Reading } from '../snapshot/snapshot.ts';

/** What one collector returns from one cycle. */
export interface CollectorOutput {
  readings: Reading[];
  /** JSON for /metrics/live, with explicit units in its keys (e.g. usagePercent, totalBytes). */
  summary: unknown;
}

/**
 * A source of host readings. `collect` throws on failure; the scheduler isolates it, times it out and
 * reports it as prodpulse_collector_success{collector}=0. Implementations must honour `signal` where they can.
 */
export interface Collector {
  readonly name: string;
  collect(signal: AbortSignal): Promise<CollectorOutput>;
}

/** Where a collector reads the host from; swapped in tests and for containers that mount the host. */
export interface HostPaths {
  procfs: string;
  sysfs: string;
  rootfs: string;
}
