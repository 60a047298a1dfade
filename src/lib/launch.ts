/**
 * Every launch path (npm start, `node src/main.ts`, the package's bin, the Docker CMD) runs the CLI with the same
 * two settings, so each has the same footprint (bench/README.md, "RSS by launch path"):
 * - NODE_COMPILE_CACHE: stripped and compiled sources come from a cache, so Node does not load its TypeScript
 *   stripper at start (13-18 MB of RSS);
 * - --max-semi-space-size=4: bounds V8's young generation under scrape load;
 * - --max-old-space-size=192: bounds the old generation, which V8 otherwise grows to ~280 MB under 200 concurrent
 *   scrapers while 40 MB are in use (bench/README.md, "Memory under 200 concurrent scrapers").
 * `relaunch` re-executes the process (process.execve: same PID, same stdio, same arguments) as `entry` with them,
 * keeping any that were given. It returns only where execve does not exist (Windows, Node < 23.11).
 */
import { fileURLToPath } from 'node:url';

const DEFAULT_FLAGS = [
  ['--max-semi-space-size', '4'],
  ['--max-old-space-size', '192'],
] as const;

export function relaunch(entry: URL): void {
  if (typeof process.execve !== 'function') return;
  const given = (flag: string) => process.execArgv.some((a) => a.startsWith(flag)) || (process.env.NODE_OPTIONS ?? '').includes(flag);
  const cache = process.env.NODE_COMPILE_CACHE || fileURLToPath(new URL('../../node_modules/.cache/prodpulse-compile', import.meta.url));
  const flags = [...process.execArgv, ...DEFAULT_FLAGS.filter(([f]) => !given(f)).map(([f, v]) => `${f}=${v}`)];
  process.execve(process.execPath, [process.execPath, ...flags, fileURLToPath(entry), ...process.argv.slice(2)], { ...process.env, NODE_COMPILE_CACHE: cache });
}
