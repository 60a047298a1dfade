import type { Collector, CollectorOutput } from './collector.ts';
import { type HostCollectorOptions, fields, isLinux, readHostFile } from './host-files.ts';
import { loadSystemInformation } from './si.ts';
import type { MetricSpecs } from '../sources/source.ts';

/** What this collector produces, as registered on /metrics. */
export const BOOT_METRICS = {
  host_boot_time_seconds: { type: 'gauge', help: 'Host boot time, in seconds since the Unix epoch.', labels: [] },
} as const satisfies MetricSpecs;


export interface BootSummary {
  bootTimeSeconds: number;
  uptimeSeconds: number;
}

/** btime (boot time, Unix seconds) from /proc/stat. */
export function parseBtime(stat: string): number {
  const line = stat.split('\n').find((l) => l.startsWith('btime '));
  const v = Number(fields(line ?? '')[1]);
  if (line === undefined || !Number.isFinite(v)) throw new Error('/proc/stat has no btime line');
  return v;
}

/** Seconds since boot, the first field of /proc/uptime. */
export function parseUptime(text: string): number {
  const v = Number(fields(text)[0]);
  if (!Number.isFinite(v)) throw new Error(`unparsable uptime: ${text.trim()}`);
  return v;
}

function output(b: BootSummary): CollectorOutput {
  return { readings: [{ metric: 'host_boot_time_seconds', labels: {}, value: b.bootTimeSeconds }], summary: b };
}

/** host_boot_time_seconds. */
export function createBootCollector(opts: HostCollectorOptions): Collector {
  return {
    name: 'boot',
    kind: 'host',
    metrics: BOOT_METRICS,
    async collect(signal) {
      if (isLinux(opts)) {
        const [stat, uptime] = await Promise.all([readHostFile(opts.paths.procfs, 'stat', signal), readHostFile(opts.paths.procfs, 'uptime', signal)]);
        return output({ bootTimeSeconds: parseBtime(stat), uptimeSeconds: parseUptime(uptime) });
      }
      const t = (await loadSystemInformation()).time();
      return output({ bootTimeSeconds: Math.round(t.current / 1000 - t.uptime), uptimeSeconds: t.uptime });
    },
  };
}
