import type { ChildProcess } from 'node:child_process';

/** SIGTERM a child and wait for it to exit; SIGKILL after graceMs. Resolves at once if it already exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const hard = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    process.kill(child.pid, 'SIGTERM');
  });
}
