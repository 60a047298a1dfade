import type { CollectorName, SamplingConfig } from '../config/schema.ts';
import { createBootCollector } from './boot.ts';
import type { Collector, HostPaths } from './collector.ts';
import { createCpuCollector } from './cpu.ts';
import { createDiskCollector } from './disk.ts';
import { createFilesystemCollector } from './filesystem.ts';
import type { DeviceFilter } from './host-files.ts';
import { createLoadCollector } from './load.ts';
import { createMemoryCollector } from './memory.ts';
import { createNetworkCollector } from './network.ts';

export interface CreateCollectorsOptions {
  enabled: Record<CollectorName, boolean>;
  paths: HostPaths;
  filesystem: { mount_points_exclude: RegExp; fs_types_exclude: RegExp };
  disk: DeviceFilter;
  network: DeviceFilter;
  /** default process.platform; anything but 'linux' uses systeminformation */
  platform?: NodeJS.Platform;
}

/** The host collectors that are enabled, in a fixed order; names equal the CollectorName values. */
export function createCollectors(opts: CreateCollectorsOptions): Collector[] {
  const host = { paths: opts.paths, ...(opts.platform === undefined ? {} : { platform: opts.platform }) };
  const all: Record<CollectorName, () => Collector> = {
    cpu: () => createCpuCollector(host),
    load: () => createLoadCollector(host),
    memory: () => createMemoryCollector(host),
    filesystem: () => createFilesystemCollector({ ...host, ...opts.filesystem }),
    disk: () => createDiskCollector({ ...host, ...opts.disk }),
    network: () => createNetworkCollector({ ...host, ...opts.network }),
    boot: () => createBootCollector(host),
  };
  return (Object.keys(all) as CollectorName[]).filter((n) => opts.enabled[n]).map((n) => all[n]());
}

/** createCollectors options straight from the parsed `sampling` section of alerts.yaml. */
export function collectorOptionsFromConfig(sampling: SamplingConfig, platform?: NodeJS.Platform): CreateCollectorsOptions {
  return {
    enabled: sampling.collectors,
    paths: sampling.paths,
    filesystem: sampling.filesystem,
    disk: sampling.disk,
    network: sampling.network,
    ...(platform === undefined ? {} : { platform }),
  };
}
