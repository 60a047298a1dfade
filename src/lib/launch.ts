/**
 * Every launch path (npm start, `node src/main.ts`, the package's bin, the Docker CMD) runs the CLI with the same
 * two settings, so each has the same footprint (bench/README.md, "RSS by launch path"):
 * - NODE_COMPILE_CACHE: stripped and compiled sources come from a cache, so Node does not load its TypeScript
 *   stripper at start (13-18 MB of RSS);
 * - --max-semi-space-size=4: bounds V8's young generation under scrape load.
 * `relaunch` re-executes the process (process.execve: same PID, same stdio, same arguments) as `entry` with them,
 * keeping any that were given. It returns only where execve does not exist (Windows, Node < 23.11).
 */
import { fileURLToPath } from 'node:url';

const SEMI = '--max-semi-space-size';

export function relaunch(entry: URL): void {
  if (typeof process.execve !== 'function') return;
  const hasSemi = process.execArgv.some((a) => a.startsWith(SEMI)) || (process.env.NODE_OPTIONS ?? '').includes(SEMI);
  const cache = process.env.NODE_COMPILE_CACHE || fileURLToPath(new URL('../../node_modules/.cache/prodpulse-compile', import.meta.url));
  const flags = hasSemi ? process.execArgv : [...process.execArgv, `${SEMI}=4`];
  process.execve(process.execPath, [process.execPath, ...flags, fileURLToPath(entry), ...process.argv.slice(2)], { ...process.env, NODE_COMPILE_CACHE: cache });
}
