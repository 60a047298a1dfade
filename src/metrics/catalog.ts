/**
 * Every metric the sidecar derives from readings, with its Prometheus type, help text and label names.
 * The exposition registers exactly these; a reading whose metric is not here is a programming error.
 */
export interface MetricSpec {
  type: 'gauge' | 'counter';
  help: string;
  labels: readonly string[];
}

const FS_LABELS = ['device', 'mountpoint', 'fstype'] as const;

export const HOST_METRICS = {
  host_cpu_usage_ratio: { type: 'gauge', help: 'Share of CPU time not idle or iowait since the previous sample (0-1); cpu="all" for the whole host.', labels: ['cpu'] },
  host_cpu_seconds_total: { type: 'counter', help: 'Seconds the CPUs spent in each mode.', labels: ['cpu', 'mode'] },
  host_cpus: { type: 'gauge', help: 'Number of logical CPUs.', labels: [] },
  host_load1: { type: 'gauge', help: '1-minute load average.', labels: [] },
  host_load5: { type: 'gauge', help: '5-minute load average.', labels: [] },
  host_load15: { type: 'gauge', help: '15-minute load average.', labels: [] },
  host_memory_total_bytes: { type: 'gauge', help: 'Total usable memory in bytes.', labels: [] },
  host_memory_available_bytes: { type: 'gauge', help: 'Memory available for new work without swapping, in bytes (MemAvailable).', labels: [] },
  host_memory_used_ratio: { type: 'gauge', help: 'Share of memory in use: 1 - available/total (0-1).', labels: [] },
  host_swap_total_bytes: { type: 'gauge', help: 'Total swap in bytes.', labels: [] },
  host_swap_used_bytes: { type: 'gauge', help: 'Swap in use in bytes.', labels: [] },
  host_swap_used_ratio: { type: 'gauge', help: 'Share of swap in use (0-1); 0 when there is no swap.', labels: [] },
  host_filesystem_size_bytes: { type: 'gauge', help: 'Filesystem size in bytes.', labels: FS_LABELS },
  host_filesystem_avail_bytes: { type: 'gauge', help: 'Filesystem space available to non-root users in bytes.', labels: FS_LABELS },
  host_filesystem_used_ratio: { type: 'gauge', help: 'Share of filesystem space in use: 1 - avail/size (0-1).', labels: FS_LABELS },
  host_disk_read_bytes_total: { type: 'counter', help: 'Bytes read from the block device.', labels: ['device'] },
  host_disk_written_bytes_total: { type: 'counter', help: 'Bytes written to the block device.', labels: ['device'] },
  host_network_receive_bytes_total: { type: 'counter', help: 'Bytes received on the network device.', labels: ['device'] },
  host_network_transmit_bytes_total: { type: 'counter', help: 'Bytes transmitted on the network device.', labels: ['device'] },
  host_boot_time_seconds: { type: 'gauge', help: 'Host boot time, in seconds since the Unix epoch.', labels: [] },
  host_info: { type: 'gauge', help: 'Static facts about the host, read once at start; always 1.', labels: ['hostname', 'os', 'kernel', 'arch', 'cpu_model'] },
} as const satisfies Record<string, MetricSpec>;

export type HostMetricName = keyof typeof HOST_METRICS;

/** metric name → the label names its series carry */
export type MetricLabelMap = Readonly<Record<string, readonly string[]>>;

/** Merges sets of metric specs (host, probes, heartbeats, …) into one metric → label names map. */
export function metricLabelMap(...specSets: readonly Readonly<Record<string, { labels: readonly string[] }>>[]): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const specs of specSets) for (const [name, spec] of Object.entries(specs)) out[name] = spec.labels;
  return out;
}

/** Every metric a rule can name whose labels are known ahead (add probe and heartbeat specs here). */
export const KNOWN_METRIC_LABELS: MetricLabelMap = metricLabelMap(HOST_METRICS);
