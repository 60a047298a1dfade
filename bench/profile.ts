/**
 * Evidence for targets 2 and 3: where an idle sidecar spends its CPU. Starts `node --cpu-prof src/main.ts serve`
 * (nothing scraping), waits, stops it by PID, and prints self time by package/file and the top functions.
 * Run: node bench/profile.ts [--interval=1s] [--seconds=30]
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, benchConfig, sleep, startSidecarProc, writeResult } from './lib.ts';

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const interval = arg('interval') ?? '1s';
const seconds = Number(arg('seconds') ?? (QUICK ? 10 : 30));
const dir = mkdtempSync(join(tmpdir(), 'prodpulse-prof-'));
const profDir = join(dir, 'prof');
const sc = await startSidecarProc({ dir, config: benchConfig(dir, interval), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
await sleep(seconds * 1000);
await sc.stop();
await sleep(500);
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written:\n${sc.output()}`);
interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const p = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
const nodes = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
p.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
const byFile = new Map<string, number>();
const byFn = new Map<string, number>();
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
for (const [id, us] of self) {
  const cf = nodes.get(id)!.callFrame;
  const url = cf.url.replace(/^file:\/\/\/work\/main\//, '');
  const pkg = url.includes('node_modules/') ? url.split('node_modules/').at(-1)!.split('/').slice(0, url.split('node_modules/').at(-1)!.startsWith('@') ? 2 : 1).join('/') : url || cf.functionName;
  add(byFile, pkg, us);
  add(byFn, `${cf.functionName || '(anonymous)'} ${url}:${cf.lineNumber}`, us);
}
const wallMs = (p.endTime - p.startTime) / 1000;
const busyMs = [...byFile].filter(([k]) => k !== '(idle)').reduce((a, [, v]) => a + v, 0) / 1000;
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => ({ ms: Math.round(v / 100) / 10, what: k }));
const summary = {
  command: `node bench/profile.ts --interval=${interval} --seconds=${seconds}`,
  note: 'JS main thread only, from process start (includes startup); V8 sampling profiler',
  wallMs: Math.round(wallMs),
  busyMsMainThread: Math.round(busyMs),
  byPackageOrFile: top(byFile, 20),
  topFunctions: top(byFn, 30),
};
writeResult(`profile-${interval}.json`, summary);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
