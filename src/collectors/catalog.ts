import { BOOT_METRICS } from './boot.ts';
import { CPU_METRICS } from './cpu.ts';
import { DISK_METRICS } from './disk.ts';
import { FILESYSTEM_METRICS } from './filesystem.ts';
import { LOAD_METRICS } from './load.ts';
import { MEMORY_METRICS } from './memory.ts';
import { NETWORK_METRICS } from './network.ts';
import { STATIC_METRICS } from './static-facts.ts';

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
