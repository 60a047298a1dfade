/**
 * Every launch path (npm start, `node src/main.ts`, the package's bin, the Docker CMD) runs the CLI with the same
 * two settings, so each has the same footprint (bench/README.md, "RSS by launch path"):
 * - NODE_COMPILE_CACHE: stripped and compiled sources come from a cache, so Node does not load its TypeScript
 *   stripper at start (13-18 MB of RSS);
 * - --max-semi-space-size=4: bounds V8's young generation under scrape load;
 * - --max-old-space-size=192: bounds the old generation, which V8 otherwise grows to ~280 MB under 200 concurrent
 *   scrapers while 40 MB are in use (bench/README.md, "Memory under 200 concurrent scrapers"); `serve` and `demo`
 *   only (ONE_SHOT_COMMANDS below);
 * - MALLOC_ARENA_MAX=1: one glibc malloc arena for all of the process's threads (libuv's pool, V8's platform
 *   workers, the channel and bcrypt workers) instead of one per thread: 4 MB less idle RSS, no measurable change in
 *   /metrics throughput (bench/README.md, "RSS by launch path").
 * `relaunch` re-executes the process (process.execve: same PID, same stdio, same arguments) as `entry` with them,
 * keeping any that were given. It returns only where execve does not exist (Windows, Node < 23.11).
 */
import { fileURLToPath } from 'node:url';

const DEFAULT_FLAGS = [
  ['--max-semi-space-size', '4'],
  ['--max-old-space-size', '192'],
] as const;

const DEFAULT_ENV = { MALLOC_ARENA_MAX: '1' } as const;

/**
 * Commands that run once and exit get no old-generation cap: the cap bounds a long-running server's heap, while
 * `analyze` holds what its input needs (up to 1 000 000 alerts listed: more than 192 MB) and died out of memory.
 */
const ONE_SHOT_COMMANDS = new Set(['analyze', 'check', 'export-rules', 'test-notify']);

export interface LaunchPlan {
  /** argv for execve: node, its flags, the entry, the command's arguments */
  args: string[];
  env: Record<string, string | undefined>;
}

/** What `relaunch` executes: the defaults above, each unless the user already gave it (a flag or NODE_OPTIONS, a variable). */
export function launchPlan(entry: URL, proc: Pick<NodeJS.Process, 'execPath' | 'execArgv' | 'argv' | 'env'>): LaunchPlan {
  const given = (flag: string) => proc.execArgv.some((a) => a.startsWith(flag)) || (proc.env.NODE_OPTIONS ?? '').includes(flag);
  const cache = proc.env.NODE_COMPILE_CACHE || fileURLToPath(new URL('../../node_modules/.cache/prodpulse-compile', import.meta.url));
  const oneShot = ONE_SHOT_COMMANDS.has(proc.argv[2] ?? '');
  const wanted = DEFAULT_FLAGS.filter(([f]) => !given(f) && !(oneShot && f === '--max-old-space-size'));
  const flags = [...proc.execArgv, ...wanted.map(([f, v]) => `${f}=${v}`)];
  return {
    args: [proc.execPath, ...flags, fileURLToPath(entry), ...proc.argv.slice(2)],
    env: { ...DEFAULT_ENV, ...proc.env, NODE_COMPILE_CACHE: cache },
  };
}

export function relaunch(entry: URL): void {
  if (typeof process.execve !== 'function') return;
  const plan = launchPlan(entry, process);
  process.execve(process.execPath, plan.args, plan.env);
}
