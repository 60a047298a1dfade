import os from 'node:os';
import type { Collector, CollectorOutput } from './collector.ts';
import { type HostCollectorOptions, fields, isLinux, readHostFile } from './host-files.ts';
import type { MetricSpecs } from '../sources/source.ts';

/** What this collector produces, as registered on /metrics. */
export const LOAD_METRICS = {
  host_load1: { type: 'gauge', help: '1-minute load average.', labels: [] },
  host_load5: { type: 'gauge', help: '5-minute load average.', labels: [] },
  host_load15: { type: 'gauge', help: '15-minute load average.', labels: [] },
} as const satisfies MetricSpecs;


export interface LoadSummary {
  load1: number;
  load5: number;
  load15: number;
}

/** Parses /proc/loadavg ("0.52 0.58 0.59 1/467 12345"). */
export function parseLoadavg(text: string): LoadSummary {
  const [a, b, c] = fields(text).map(Number);
  if (a === undefined || b === undefined || c === undefined || ![a, b, c].every(Number.isFinite)) throw new Error(`unparsable loadavg: ${text.trim()}`);
  return { load1: a, load5: b, load15: c };
}

function output(l: LoadSummary): CollectorOutput {
  return {
    readings: [
      { metric: 'host_load1', labels: {}, value: l.load1 },
      { metric: 'host_load5', labels: {}, value: l.load5 },
      { metric: 'host_load15', labels: {}, value: l.load15 },
    ],
    summary: l,
  };
}

/** host_load1, host_load5, host_load15. Off Linux, os.loadavg() (what systeminformation itself uses; zeros on Windows). */
export function createLoadCollector(opts: HostCollectorOptions): Collector {
  return {
    name: 'load',
    kind: 'host',
    metrics: LOAD_METRICS,
    async collect(signal) {
      if (isLinux(opts)) return output(parseLoadavg(await readHostFile(opts.paths.procfs, 'loadavg', signal)));
      const [load1 = 0, load5 = 0, load15 = 0] = os.loadavg();
      return output({ load1, load5, load15 });
    },
  };
}
