import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostPaths } from './collector.ts';

/** What every host collector factory takes: where the host is, and which implementation to use. */
export interface HostCollectorOptions {
  paths: HostPaths;
  /** 'linux' reads procfs/sysfs directly; anything else falls back to systeminformation. Default: process.platform. */
  platform?: NodeJS.Platform;
}

/** Optional include/exclude regexes on a device name (disk, network). */
export interface DeviceFilter {
  include?: RegExp | undefined;
  exclude?: RegExp | undefined;
}

/** Reads a text file below `root` (e.g. procfs) without blocking the event loop. */
export function readHostFile(root: string, rel: string, signal?: AbortSignal): Promise<string> {
  return readFile(path.join(root, rel), { encoding: 'utf8', signal });
}

/** True when the device passes the filter: matches include (if any) and does not match exclude (if any). */
export function deviceAllowed(name: string, filter: DeviceFilter): boolean {
  if (filter.include !== undefined && !regexTest(filter.include, name)) return false;
  if (filter.exclude !== undefined && regexTest(filter.exclude, name)) return false;
  return true;
}

/** RegExp.test without the lastIndex state a /g or /y flag would carry between calls. */
export function regexTest(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

/** A 0-1 ratio as a percentage rounded to 2 decimals. */
export function percent(ratio: number): number {
  return Math.round(ratio * 10_000) / 100;
}

export function clampRatio(x: number): number {
  if (!Number.isFinite(x)) return 0;
  return Math.min(1, Math.max(0, x));
}

export function isLinux(opts: HostCollectorOptions): boolean {
  return (opts.platform ?? process.platform) === 'linux';
}

/** Splits a procfs line on runs of whitespace, dropping empty fields. */
export function fields(line: string): string[] {
  return line.trim().split(/\s+/).filter((f) => f !== '');
}
