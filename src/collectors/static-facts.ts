import os from 'node:os';
import type { Reading } from '../snapshot/snapshot.ts';
import { type SystemInformation, loadSystemInformation } from './si.ts';

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

export async function readStaticFacts(deps: StaticFactsDeps = {}): Promise<StaticFacts> {
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
