import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Reading } from '../snapshot/snapshot.ts';
import { type SystemInformation, loadSystemInformation } from './si.ts';
import type { MetricSpecs } from '../sources/source.ts';

/** What this collector produces, as registered on /metrics. */
export const STATIC_METRICS = {
  host_info: { type: 'gauge', help: 'Static facts about the host, read once at start; always 1.', labels: ['hostname', 'os', 'kernel', 'arch', 'cpu_model'] },
} as const satisfies MetricSpecs;


/** Facts about the host that do not change while the process runs; read once at start. */
export interface StaticFacts {
  hostname: string;
  /** distribution and release, e.g. "Debian GNU/Linux 13" */
  os: string;
  platform: string;
  kernel: string;
  arch: string;
  cpuModel: string;
  cpuCores: number;
}

export interface StaticFactsDeps {
  /** default: the systeminformation package (it may spawn processes, which is fine once at start) */
  si?: Pick<SystemInformation, 'osInfo' | 'cpu'>;
}

/** From node:os only: what we report when systeminformation fails. */
export function staticFactsFromOs(): StaticFacts {
  return {
    hostname: os.hostname(),
    os: os.type(),
    platform: os.platform(),
    kernel: os.release(),
    arch: os.arch(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpuCores: os.availableParallelism(),
  };
}

/**
 * On Linux: /etc/os-release and /proc/cpuinfo, read directly (no child processes, and systeminformation is not
 * loaded at all). Elsewhere: systeminformation. Either way node:os fills what is missing.
 */
export async function readStaticFacts(deps: StaticFactsDeps & { platform?: NodeJS.Platform; paths?: { procfs: string; rootfs: string } } = {}): Promise<StaticFacts> {
  if ((deps.platform ?? process.platform) === 'linux' && !deps.si) return readLinuxFacts(deps.paths ?? { procfs: '/proc', rootfs: '/' });
  return readSiFacts(deps);
}

async function readLinuxFacts(paths: { procfs: string; rootfs: string }): Promise<StaticFacts> {
  const fallback = staticFactsFromOs();
  const text = (p: string) => readFile(p, 'utf8').catch(() => '');
  const [osRelease, cpuinfo, hostname, kernel] = await Promise.all([
    text(join(paths.rootfs, 'etc/os-release')).then((t) => t || text(join(paths.rootfs, 'usr/lib/os-release'))),
    text(join(paths.procfs, 'cpuinfo')),
    text(join(paths.procfs, 'sys/kernel/hostname')),
    text(join(paths.procfs, 'sys/kernel/osrelease')),
  ]);
  const field = (t: string, re: RegExp) => re.exec(t)?.[1]?.trim().replace(/^"(.*)"$/, '$1') ?? '';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  return {
    ...fallback,
    hostname: hostname.trim() || fallback.hostname,
    // NAME + VERSION_ID, as systeminformation reports it elsewhere ("Debian GNU/Linux 12")
    os: [field(osRelease, /^NAME=(.*)$/m), field(osRelease, /^VERSION_ID=(.*)$/m)].filter(Boolean).join(' ') || field(osRelease, /^PRETTY_NAME=(.*)$/m) || fallback.os,
    kernel: kernel.trim() || fallback.kernel,
    cpuModel: field(cpuinfo, /^model name\s*:\s*(.*)$/m) || field(cpuinfo, /^Model\s*:\s*(.*)$/m) || fallback.cpuModel,
    cpuCores: cores > 0 ? cores : fallback.cpuCores,
  };
}

async function readSiFacts(deps: StaticFactsDeps): Promise<StaticFacts> {
  const fallback = staticFactsFromOs();
  try {
    const si = deps.si ?? (await loadSystemInformation());
    const [info, cpu] = await Promise.all([si.osInfo(), si.cpu()]);
    const osName = [info.distro, info.release].filter((s) => s !== '' && s !== 'unknown').join(' ');
    const cpuModel = [cpu.manufacturer, cpu.brand].filter((s) => s !== '' && s !== 'unknown').join(' ');
    return {
      hostname: info.hostname || fallback.hostname,
      os: osName || fallback.os,
      platform: info.platform || fallback.platform,
      kernel: info.kernel || fallback.kernel,
      arch: info.arch || fallback.arch,
      cpuModel: cpuModel || fallback.cpuModel,
      cpuCores: cpu.cores > 0 ? cpu.cores : fallback.cpuCores,
    };
  } catch {
    return fallback;
  }
}

/** host_info{hostname,os,kernel,arch,cpu_model} 1 */
export function hostInfoReading(f: StaticFacts): Reading {
  return { metric: 'host_info', labels: { hostname: f.hostname, os: f.os, kernel: f.kernel, arch: f.arch, cpu_model: f.cpuModel }, value: 1 };
}
