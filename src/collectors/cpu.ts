import os from 'node:os';
import type { Reading } from '../snapshot/snapshot.ts';
import type { Collector, CollectorOutput } from './collector.ts';
import { type HostCollectorOptions, clampRatio, fields, isLinux, percent, readHostFile } from './host-files.ts';
import { loadSystemInformation } from './si.ts';
import type { MetricSpecs } from '../sources/source.ts';

/** What this collector produces, as registered on /metrics. */
export const CPU_METRICS = {
  host_cpu_usage_ratio: { type: 'gauge', help: 'Share of CPU time not idle or iowait since the previous sample (0-1); cpu="all" for the whole host.', labels: ['cpu'] },
  host_cpu_seconds_total: { type: 'counter', help: 'Seconds the CPUs spent in each mode.', labels: ['cpu', 'mode'] },
  host_cpus: { type: 'gauge', help: 'Number of logical CPUs.', labels: [] },
} as const satisfies MetricSpecs;


export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

/** Clock ticks per second of /proc/stat (USER_HZ); 100 on every Linux ABI node_exporter supports. */
export const USER_HZ = 100;

/** Tick counters per CPU in CPU_MODES order; key 'all' for the aggregate "cpu" line, '0', '1', … per core. */
export type CpuTicks = Map<string, number[]>;

export interface CpuSummary {
  usagePercent: number;
  cores: { cpu: string; usagePercent: number }[];
  count: number;
}

/** Parses the cpu lines of /proc/stat. */
export function parseProcStatCpu(text: string): CpuTicks {
  const out: CpuTicks = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const f = fields(line);
    const head = f[0] ?? '';
    const cpu = head === 'cpu' ? 'all' : head.slice(3);
    if (cpu !== 'all' && !/^\d+$/.test(cpu)) continue;
    // guest and guest_nice (fields 9, 10) are already counted in user and nice, so only the first eight count.
    const ticks = CPU_MODES.map((_, i) => Number(f[i + 1] ?? 0));
    if (ticks.some((t) => !Number.isFinite(t))) throw new Error(`unparsable /proc/stat line: ${line}`);
    out.set(cpu, ticks);
  }
  if (!out.has('all')) throw new Error('/proc/stat has no aggregate cpu line');
  return out;
}

const IDLE = CPU_MODES.indexOf('idle');
const IOWAIT = CPU_MODES.indexOf('iowait');

/** 1 - Δ(idle+iowait)/Δtotal; undefined when no tick passed (Δtotal <= 0). With no `prev`, since boot. */
export function cpuUsage(cur: readonly number[], prev?: readonly number[]): number | undefined {
  const sum = (t: readonly number[]) => t.reduce((a, b) => a + b, 0);
  const idle = (t: readonly number[]) => (t[IDLE] ?? 0) + (t[IOWAIT] ?? 0);
  const dTotal = sum(cur) - (prev ? sum(prev) : 0);
  const dIdle = idle(cur) - (prev ? idle(prev) : 0);
  if (!(dTotal > 0)) return undefined;
  return clampRatio(1 - dIdle / dTotal);
}

function output(usage: Map<string, number>, seconds: Reading[], count: number): CollectorOutput {
  const readings: Reading[] = [];
  for (const [cpu, ratio] of usage) readings.push({ metric: 'host_cpu_usage_ratio', labels: { cpu }, value: ratio });
  readings.push(...seconds, { metric: 'host_cpus', labels: {}, value: count });
  const summary: CpuSummary = {
    usagePercent: percent(usage.get('all') ?? 0),
    cores: [...usage].filter(([cpu]) => cpu !== 'all').map(([cpu, ratio]) => ({ cpu, usagePercent: percent(ratio) })),
    count,
  };
  return { readings, summary };
}

/** host_cpu_usage_ratio{cpu="all"|"N"}, host_cpu_seconds_total{cpu,mode} (per core), host_cpus. */
export function createCpuCollector(opts: HostCollectorOptions): Collector {
  let prev: CpuTicks | undefined;
  const lastUsage = new Map<string, number>();

  async function collectLinux(signal: AbortSignal): Promise<CollectorOutput> {
    const cur = parseProcStatCpu(await readHostFile(opts.paths.procfs, 'stat', signal));
    const usage = new Map<string, number>();
    const seconds: Reading[] = [];
    for (const [cpu, ticks] of cur) {
      // No tick since the previous sample (two collects within 10 ms): repeat the last value rather than invent one.
      const ratio = cpuUsage(ticks, prev?.get(cpu)) ?? lastUsage.get(cpu) ?? cpuUsage(ticks) ?? 0;
      usage.set(cpu, ratio);
      lastUsage.set(cpu, ratio);
      if (cpu === 'all') continue;
      CPU_MODES.forEach((mode, i) => seconds.push({ metric: 'host_cpu_seconds_total', labels: { cpu, mode }, value: (ticks[i] ?? 0) / USER_HZ }));
    }
    prev = cur;
    return output(usage, seconds, cur.size - 1);
  }

  async function collectSi(): Promise<CollectorOutput> {
    const si = await loadSystemInformation();
    const load = await si.currentLoad();
    const usage = new Map<string, number>([['all', clampRatio(load.currentLoad / 100)]]);
    load.cpus.forEach((c, i) => usage.set(String(i), clampRatio(c.load / 100)));
    // os.cpus() times are cumulative milliseconds; it knows user, nice, sys, idle and irq only.
    const seconds: Reading[] = [];
    os.cpus().forEach((c, i) => {
      const t = { user: c.times.user, nice: c.times.nice, system: c.times.sys, idle: c.times.idle, irq: c.times.irq };
      for (const [mode, ms] of Object.entries(t)) seconds.push({ metric: 'host_cpu_seconds_total', labels: { cpu: String(i), mode }, value: ms / 1000 });
    });
    return output(usage, seconds, load.cpus.length);
  }

  return { name: 'cpu',
    kind: 'host',
    metrics: CPU_METRICS, collect: (signal) => (isLinux(opts) ? collectLinux(signal) : collectSi()) };
}
