import type { Reading } from '../snapshot/snapshot.ts';
import type { Collector, CollectorOutput } from './collector.ts';
import { type DeviceFilter, type HostCollectorOptions, deviceAllowed, fields, isLinux, readHostFile } from './host-files.ts';
import { loadSystemInformation } from './si.ts';
import type { MetricSpecs } from '../sources/source.ts';

/** What this collector produces, as registered on /metrics. */
export const DISK_METRICS = {
  host_disk_read_bytes_total: { type: 'counter', help: 'Bytes read from the block device.', labels: ['device'] },
  host_disk_written_bytes_total: { type: 'counter', help: 'Bytes written to the block device.', labels: ['device'] },
} as const satisfies MetricSpecs;


/** /proc/diskstats counts 512-byte sectors whatever the device's real sector size. */
export const SECTOR_BYTES = 512;

export interface DiskSummaryItem {
  device: string;
  readBytes: number;
  writtenBytes: number;
}

/** Parses /proc/diskstats: field 3 device, 6 sectors read, 10 sectors written. */
export function parseDiskstats(text: string): DiskSummaryItem[] {
  const out: DiskSummaryItem[] = [];
  for (const line of text.split('\n')) {
    const f = fields(line);
    const device = f[2];
    const read = Number(f[5]);
    const written = Number(f[9]);
    if (device === undefined || !Number.isFinite(read) || !Number.isFinite(written) || f.length < 10) continue;
    out.push({ device, readBytes: read * SECTOR_BYTES, writtenBytes: written * SECTOR_BYTES });
  }
  return out;
}

function output(items: DiskSummaryItem[]): CollectorOutput {
  const readings: Reading[] = [];
  for (const d of items)
    readings.push(
      { metric: 'host_disk_read_bytes_total', labels: { device: d.device }, value: d.readBytes },
      { metric: 'host_disk_written_bytes_total', labels: { device: d.device }, value: d.writtenBytes },
    );
  return { readings, summary: items };
}

/**
 * host_disk_read_bytes_total / host_disk_written_bytes_total{device}. Off Linux, systeminformation only knows
 * bytes for all disks together (si.fsStats; si.disksIO counts operations, not bytes), reported as device="all".
 */
export function createDiskCollector(opts: HostCollectorOptions & DeviceFilter): Collector {
  return {
    name: 'disk',
    kind: 'host',
    metrics: DISK_METRICS,
    async collect(signal) {
      if (isLinux(opts)) {
        const all = parseDiskstats(await readHostFile(opts.paths.procfs, 'diskstats', signal));
        return output(all.filter((d) => deviceAllowed(d.device, opts)));
      }
      const s = await (await loadSystemInformation()).fsStats();
      if (s === null || s === undefined || !Number.isFinite(s.rx) || !Number.isFinite(s.wx)) throw new Error('systeminformation.fsStats returned no data');
      return output([{ device: 'all', readBytes: s.rx, writtenBytes: s.wx }]);
    },
  };
}
