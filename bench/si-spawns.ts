/**
 * How many child processes each systeminformation call spawns and how long it blocks the event loop (longest gap between setImmediate turns), next to
 * one full collect of our /proc-based collectors. Run: node bench/si-spawns.ts
 *
 * child_process is wrapped through createRequire BEFORE systeminformation is imported: systeminformation is
 * CommonJS and keeps `require('child_process').exec` etc. at load time, so it gets the counting wrappers.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const cp = require('child_process') as Record<string, unknown>;
const FNS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

let depth = 0; // exec() calls module.exports.execFile(): count only the outermost call
let spawned: string[] = [];
for (const fn of FNS) {
  const orig = cp[fn] as (...a: unknown[]) => unknown;
  cp[fn] = function (this: unknown, ...args: unknown[]) {
    if (depth === 0) {
      const argv = Array.isArray(args[1]) ? ` ${(args[1] as unknown[]).join(' ')}` : '';
      spawned.push(`${fn}: ${String(args[0])}${argv}`.replace(/\s+/g, ' ').replaceAll('`', "'").slice(0, 70));
    }
    depth++;
    try {
      return orig.apply(this, args);
    } finally {
      depth--;
    }
  };
}

interface Measure {
  spawns: number;
  commands: string[];
  wallMs: number;
  longestBlockMs: number;
}

/** Runs fn once while a setImmediate ticker records the longest gap between turns of the event loop. */
async function measure(fn: () => unknown): Promise<Measure> {
  spawned = [];
  let last = performance.now();
  let longest = 0;
  let ticking = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  await new Promise((r) => setImmediate(r));
  const t0 = performance.now();
  last = t0;
  const p = fn();
  longest = Math.max(longest, performance.now() - t0); // the synchronous part of the call itself
  await p;
  const wallMs = performance.now() - t0;
  tick();
  ticking = false;
  return { spawns: spawned.length, commands: [...new Set(spawned)], wallMs, longestBlockMs: longest };
}

const f = (n: number) => n.toFixed(1);
const rows: string[] = [];
const row = (name: string, a: Measure, b: Measure) =>
  rows.push(
    `| ${name} | ${a.spawns} / ${b.spawns} | ${f(a.wallMs)} / ${f(b.wallMs)} | ${f(a.longestBlockMs)} / ${f(b.longestBlockMs)} | ${
      [...new Set([...a.commands, ...b.commands])].map((c) => `\`${c.replaceAll('|', '\\|')}\``).join('<br>') || '–'
    } |`,
  );

type Si = typeof import('systeminformation');
let si: Si | undefined;
const load = await measure(async () => {
  si = await import('systeminformation');
});
rows.push(`| import('systeminformation') | ${load.spawns} | ${f(load.wallMs)} | ${f(load.longestBlockMs)} | ${load.commands.map((c) => `\`${c}\``).join('<br>') || '–'} |`);
if (si === undefined) throw new Error('systeminformation did not load');
const s: Si = si;

const calls: [string, () => unknown][] = [
  ['si.currentLoad()', () => s.currentLoad()],
  ['si.mem()', () => s.mem()],
  ['si.fsSize()', () => s.fsSize()],
  ['si.disksIO()', () => s.disksIO()],
  ['si.fsStats()', () => s.fsStats()],
  ["si.networkStats('*')", () => s.networkStats('*')],
  ['si.time()', () => s.time()],
  ['si.osInfo()', () => s.osInfo()],
  ['si.cpu()', () => s.cpu()],
  ['si.cpuCurrentSpeed()', () => s.cpuCurrentSpeed()],
  ['si.blockDevices()', () => s.blockDevices()],
];
// The 2nd call comes GAP_MS after the 1st, like a sampler would: systeminformation answers from its cache
// when currentLoad, disksIO, fsStats or networkStats are asked again within about a second.
const GAP_MS = 1500;
const twice = async (fn: () => unknown): Promise<[Measure, Measure]> => {
  const a = await measure(fn);
  await sleep(GAP_MS);
  return [a, await measure(fn)];
};
for (const [name, fn] of calls) row(name, ...(await twice(fn)));

const { createCollectors, collectorOptionsFromConfig } = await import('../src/collectors/index.ts');
const { samplingSchema } = await import('../src/config/schema.ts');
const ours = createCollectors(collectorOptionsFromConfig(samplingSchema.parse({}), 'linux'));
const collectAll = () => Promise.all(ours.map((c) => c.collect(new AbortController().signal)));
row(`prodpulse /proc collectors, all ${ours.length} in parallel`, ...(await twice(collectAll)));

console.log(`systeminformation ${s.version()} · Node ${process.version} · ${os.platform()} ${os.release()} · ${os.cpus().length} CPUs\n`);
console.log(`| call | child processes (1st / 2nd call, ${GAP_MS} ms apart) | wall ms (1st / 2nd) | longest event-loop block ms (1st / 2nd) | commands |`);
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('\n"longest event-loop block" = longest gap between setImmediate turns while the call ran (includes its synchronous part); execSync/execFileSync block for the whole life of the child.');
