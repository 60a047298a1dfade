import { fileURLToPath } from 'node:url';
import type { HostPaths } from '../collector.ts';

/** The fake host under testdata/host1: proc/, sys/, root/. */
export const HOST1: HostPaths = {
  procfs: fileURLToPath(new URL('./host1/proc', import.meta.url)),
  sysfs: fileURLToPath(new URL('./host1/sys', import.meta.url)),
  rootfs: fileURLToPath(new URL('./host1/root', import.meta.url)),
};

export const signal = (): AbortSignal => new AbortController().signal;
