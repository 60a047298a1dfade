import type { Collector, CollectorOutput } from './collector.ts';
import { type HostCollectorOptions, clampRatio, fields, isLinux, percent, readHostFile } from './host-files.ts';
import { loadSystemInformation } from './si.ts';
import type { MetricSpecs } from '../sources/source.ts';

/** What this collector produces, as registered on /metrics. */
export const MEMORY_METRICS = {
  host_memory_total_bytes: { type: 'gauge', help: 'Total usable memory in bytes.', labels: [] },
  host_memory_available_bytes: { type: 'gauge', help: 'Memory available for new work without swapping, in bytes (MemAvailable).', labels: [] },
  host_memory_used_ratio: { type: 'gauge', help: 'Share of memory in use: 1 - available/total (0-1).', labels: [] },
  host_swap_total_bytes: { type: 'gauge', help: 'Total swap in bytes.', labels: [] },
  host_swap_used_bytes: { type: 'gauge', help: 'Swap in use in bytes.', labels: [] },
  host_swap_used_ratio: { type: 'gauge', help: 'Share of swap in use (0-1); 0 when there is no swap.', labels: [] },
} as const satisfies MetricSpecs;


export interface MemorySummary {
  totalBytes: number;
  availableBytes: number;
  usedPercent: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  swapUsedPercent: number;
}

/** /proc/meminfo as bytes per key ("MemTotal:  16318412 kB" → MemTotal → 16710053888). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const [num, unit] = fields(line.slice(colon + 1));
    const v = Number(num);
    if (!Number.isFinite(v)) continue;
    out.set(line.slice(0, colon), unit === 'kB' ? v * 1024 : v);
  }
  return out;
}

export interface MemoryValues {
  total: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

export function memoryFromMeminfo(info: Map<string, number>): MemoryValues {
  const need = (k: string) => {
    const v = info.get(k);
    if (v === undefined) throw new Error(`/proc/meminfo has no ${k}`);
    return v;
  };
  const total = need('MemTotal');
  // MemAvailable exists since Linux 3.14; before that, the usual estimate.
  const available = info.get('MemAvailable') ?? need('MemFree') + (info.get('Buffers') ?? 0) + (info.get('Cached') ?? 0);
  return { total, available, swapTotal: info.get('SwapTotal') ?? 0, swapFree: info.get('SwapFree') ?? 0 };
}

export function memoryOutput(m: MemoryValues): CollectorOutput {
  const usedRatio = m.total > 0 ? clampRatio(1 - m.available / m.total) : 0;
  const swapUsed = Math.max(0, m.swapTotal - m.swapFree);
  const swapRatio = m.swapTotal > 0 ? clampRatio(swapUsed / m.swapTotal) : 0;
  const summary: MemorySummary = {
    totalBytes: m.total,
    availableBytes: m.available,
    usedPercent: percent(usedRatio),
    swapTotalBytes: m.swapTotal,
    swapUsedBytes: swapUsed,
    swapUsedPercent: percent(swapRatio),
  };
  return {
    readings: [
      { metric: 'host_memory_total_bytes', labels: {}, value: m.total },
      { metric: 'host_memory_available_bytes', labels: {}, value: m.available },
      { metric: 'host_memory_used_ratio', labels: {}, value: usedRatio },
      { metric: 'host_swap_total_bytes', labels: {}, value: m.swapTotal },
      { metric: 'host_swap_used_bytes', labels: {}, value: swapUsed },
      { metric: 'host_swap_used_ratio', labels: {}, value: swapRatio },
    ],
    summary,
  };
}

/** host_memory_{total,available}_bytes, host_memory_used_ratio, host_swap_{total,used}_bytes, host_swap_used_ratio. */
export function createMemoryCollector(opts: HostCollectorOptions): Collector {
  return {
    name: 'memory',
    kind: 'host',
    metrics: MEMORY_METRICS,
    async collect(signal) {
      if (isLinux(opts)) return memoryOutput(memoryFromMeminfo(parseMeminfo(await readHostFile(opts.paths.procfs, 'meminfo', signal))));
      const m = await (await loadSystemInformation()).mem();
      return memoryOutput({ total: m.total, available: m.available, swapTotal: m.swaptotal, swapFree: m.swaptotal - m.swapused });
    },
  };
}
