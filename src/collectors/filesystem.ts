import { statfs as fsStatfs } from 'node:fs/promises';
import path from 'node:path';
import type { Reading } from '../snapshot/snapshot.ts';
import type { Collector, CollectorOutput } from './collector.ts';
import { type HostCollectorOptions, clampRatio, fields, isLinux, percent, readHostFile, regexTest } from './host-files.ts';
import { loadSystemInformation } from './si.ts';
import type { MetricSpecs } from '../sources/source.ts';

const FS_LABELS = ['device', 'mountpoint', 'fstype'] as const;

/** What this collector produces, as registered on /metrics. */
export const FILESYSTEM_METRICS = {
  host_filesystem_size_bytes: { type: 'gauge', help: 'Filesystem size in bytes.', labels: FS_LABELS },
  host_filesystem_avail_bytes: { type: 'gauge', help: 'Filesystem space available to non-root users in bytes.', labels: FS_LABELS },
  host_filesystem_used_ratio: { type: 'gauge', help: 'Share of filesystem space in use: 1 - avail/size (0-1).', labels: FS_LABELS },
} as const satisfies MetricSpecs;


export interface Mount {
  device: string;
  mountpoint: string;
  fstype: string;
}

export interface FilesystemSummaryItem extends Mount {
  sizeBytes: number;
  availBytes: number;
  usedPercent: number;
}

/** The part of fs.StatsFs the collector needs. */
export interface StatfsResult {
  blocks: number;
  bavail: number;
  bsize: number;
}

export interface FilesystemCollectorOptions extends HostCollectorOptions {
  mount_points_exclude: RegExp;
  fs_types_exclude: RegExp;
  /** statfs of one path; default fs.promises.statfs. Injected so a hung network mount can be simulated. */
  statfs?: (p: string) => Promise<StatfsResult>;
  /** a mount whose statfs takes longer is skipped this cycle (and until that statfs returns). Default 1000 ms. */
  statfsTimeoutMs?: number;
}

/** Undoes the octal escapes of /proc/mounts (\040 space, \011 tab, \012 newline, \134 backslash). */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/mounts; a mountpoint mounted over keeps only its last (visible) entry. */
export function parseMounts(text: string): Mount[] {
  const byMountpoint = new Map<string, Mount>();
  for (const line of text.split('\n')) {
    const [device, mountpoint, fstype] = fields(line);
    if (device === undefined || mountpoint === undefined || fstype === undefined) continue;
    const m = { device: unescapeMountField(device), mountpoint: unescapeMountField(mountpoint), fstype };
    byMountpoint.delete(m.mountpoint);
    byMountpoint.set(m.mountpoint, m);
  }
  return [...byMountpoint.values()];
}

export function filterMounts<M extends Mount>(mounts: M[], opts: Pick<FilesystemCollectorOptions, 'mount_points_exclude' | 'fs_types_exclude'>): M[] {
  return mounts.filter((m) => !regexTest(opts.mount_points_exclude, m.mountpoint) && !regexTest(opts.fs_types_exclude, m.fstype));
}

interface Sized extends Mount {
  size: number;
  avail: number;
}

function output(items: Sized[]): CollectorOutput {
  const readings: Reading[] = [];
  const summary: FilesystemSummaryItem[] = [];
  for (const it of items) {
    const labels = { device: it.device, mountpoint: it.mountpoint, fstype: it.fstype };
    const ratio = it.size > 0 ? clampRatio(1 - it.avail / it.size) : 0;
    readings.push(
      { metric: 'host_filesystem_size_bytes', labels, value: it.size },
      { metric: 'host_filesystem_avail_bytes', labels: { ...labels }, value: it.avail },
      { metric: 'host_filesystem_used_ratio', labels: { ...labels }, value: ratio },
    );
    summary.push({ ...labels, sizeBytes: it.size, availBytes: it.avail, usedPercent: percent(ratio) });
  }
  return { readings, summary };
}

async function readMounts(procfs: string, signal: AbortSignal): Promise<string> {
  try {
    return await readHostFile(procfs, '1/mounts', signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return readHostFile(procfs, 'mounts', signal);
  }
}

/** host_filesystem_{size,avail}_bytes and host_filesystem_used_ratio{device,mountpoint,fstype}. */
export function createFilesystemCollector(opts: FilesystemCollectorOptions): Collector {
  const statfs = opts.statfs ?? ((p: string) => fsStatfs(p));
  const timeoutMs = opts.statfsTimeoutMs ?? 1000;
  /** mountpoints whose statfs is still outstanding; not asked again until it returns (as node_exporter does). */
  const stuck = new Set<string>();

  /** size and avail of one mount, or undefined when it fails, hangs, or is still stuck from an earlier cycle. */
  async function measure(m: Mount): Promise<Sized | undefined> {
    if (stuck.has(m.mountpoint)) return undefined;
    const pending = statfs(path.join(opts.paths.rootfs, m.mountpoint));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const r = await Promise.race([pending, timedOut]);
      if (r === 'timeout') {
        stuck.add(m.mountpoint);
        pending.then(
          () => stuck.delete(m.mountpoint),
          () => stuck.delete(m.mountpoint),
        );
        return undefined;
      }
      return { ...m, size: r.blocks * r.bsize, avail: r.bavail * r.bsize };
    } catch {
      return undefined; // permission denied, gone, ENOENT below rootfs: skip this mount only
    } finally {
      clearTimeout(timer);
    }
  }

  async function collectLinux(signal: AbortSignal): Promise<CollectorOutput> {
    const mounts = filterMounts(parseMounts(await readMounts(opts.paths.procfs, signal)), opts);
    const sized = await Promise.all(mounts.map(measure));
    signal.throwIfAborted();
    return output(sized.filter((s): s is Sized => s !== undefined));
  }

  async function collectSi(): Promise<CollectorOutput> {
    const list = await (await loadSystemInformation()).fsSize();
    const mounts = new Map<string, Sized>();
    for (const f of list) mounts.set(f.mount, { device: f.fs, mountpoint: f.mount, fstype: f.type, size: f.size, avail: f.available });
    return output(filterMounts([...mounts.values()], opts));
  }

  return { name: 'filesystem',
    kind: 'host',
    metrics: FILESYSTEM_METRICS, collect: (signal) => (isLinux(opts) ? collectLinux(signal) : collectSi()) };
}
