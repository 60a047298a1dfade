/** systeminformation, loaded only when a collector falls back to it (non-Linux) or for static facts. */
export type SystemInformation = typeof import('systeminformation');

let loading: Promise<SystemInformation> | undefined;

export function loadSystemInformation(): Promise<SystemInformation> {
  loading ??= import('systeminformation');
  return loading;
}
