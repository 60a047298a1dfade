import { createBootCollector } from './boot.ts';
import type { Collector, HostPaths } from './collector.ts';
import { createCpuCollector } from './cpu.ts';
import { createDiskCollector } from './disk.ts';
import { createFilesystemCollector } from './filesystem.ts';
import type { DeviceFilter } from './host-files.ts';
import { createLoadCollector } from './load.ts';
import { createMemoryCollector } from './memory.ts';
import { createNetworkCollector } from './network.ts';

/** What every host collector is built from: the sampling section of alerts.yaml, as parsed. */
export interface HostCollectorContext {
  paths: HostPaths;
  filesystem: { mount_points_exclude: RegExp; fs_types_exclude: RegExp };
  disk: DeviceFilter;
  network: DeviceFilter;
  /** default process.platform; anything but 'linux' uses systeminformation */
  platform?: NodeJS.Platform;
}

const host = (c: HostCollectorContext) => ({ paths: c.paths, ...(c.platform === undefined ? {} : { platform: c.platform }) });

/**
 * THE list of host collectors, in order. Adding one = its file + one line here; its name becomes a key of
 * `sampling.collectors` in alerts.yaml and its metric specs are registered on /metrics.
 */
export const HOST_COLLECTORS = [
  { name: 'cpu', create: (c: HostCollectorContext) => createCpuCollector(host(c)) },
  { name: 'load', create: (c: HostCollectorContext) => createLoadCollector(host(c)) },
  { name: 'memory', create: (c: HostCollectorContext) => createMemoryCollector(host(c)) },
  { name: 'filesystem', create: (c: HostCollectorContext) => createFilesystemCollector({ ...host(c), ...c.filesystem }) },
  { name: 'disk', create: (c: HostCollectorContext) => createDiskCollector({ ...host(c), ...c.disk }) },
  { name: 'network', create: (c: HostCollectorContext) => createNetworkCollector({ ...host(c), ...c.network }) },
  { name: 'boot', create: (c: HostCollectorContext) => createBootCollector(host(c)) },
] as const;

export type CollectorName = (typeof HOST_COLLECTORS)[number]['name'];
export const COLLECTOR_NAMES = HOST_COLLECTORS.map((c) => c.name) as [CollectorName, ...CollectorName[]];

export interface CreateCollectorsOptions extends HostCollectorContext {
  enabled: Record<CollectorName, boolean>;
}

/** The host collectors that are enabled, in list order; names equal the CollectorName values. */
export function createCollectors(opts: CreateCollectorsOptions): Collector[] {
  return HOST_COLLECTORS.filter((d) => opts.enabled[d.name]).map((d) => d.create(opts));
}

/** createCollectors options straight from the parsed `sampling` section of alerts.yaml. */
export function collectorOptionsFromConfig(
  sampling: HostCollectorContext & { collectors: Record<CollectorName, boolean> },
  platform?: NodeJS.Platform,
): CreateCollectorsOptions {
  return {
    enabled: sampling.collectors,
    paths: sampling.paths,
    filesystem: sampling.filesystem,
    disk: sampling.disk,
    network: sampling.network,
    ...(platform === undefined ? {} : { platform }),
  };
}
