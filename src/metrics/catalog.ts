import { BOOT_METRICS } from '../collectors/boot.ts';
import { CPU_METRICS } from '../collectors/cpu.ts';
import { DISK_METRICS } from '../collectors/disk.ts';
import { FILESYSTEM_METRICS } from '../collectors/filesystem.ts';
import { LOAD_METRICS } from '../collectors/load.ts';
import { MEMORY_METRICS } from '../collectors/memory.ts';
import { NETWORK_METRICS } from '../collectors/network.ts';
import { STATIC_METRICS } from '../collectors/static-facts.ts';
export type { MetricSpec } from '../sources/source.ts';

/** Every host metric, gathered from the collectors that declare them (tests and the export read it). */
export const HOST_METRICS = {
  ...CPU_METRICS,
  ...LOAD_METRICS,
  ...MEMORY_METRICS,
  ...FILESYSTEM_METRICS,
  ...DISK_METRICS,
  ...NETWORK_METRICS,
  ...BOOT_METRICS,
  ...STATIC_METRICS,
} as const;

export type HostMetricName = keyof typeof HOST_METRICS;
