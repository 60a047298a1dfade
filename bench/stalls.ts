/**
 * Evidence: which code holds the event loop. Reads a V8 .cpuprofile (node --cpu-prof) and splits its samples into
 * busy runs (consecutive samples that are not "(idle)"); for every run longer than --min-ms (default 2) it prints
 * the run's length and the src/ (or node_modules/) functions present in most of its samples, then totals by
 * those functions over all long runs.
 * Run: node bench/stalls.ts FILE.cpuprofile [--min-ms=2] [--top=25] [--from-s=S] [--to-s=S] [--gap-frame=parserOnIncoming]
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const file = process.argv[2];
if (!file) throw new Error('usage: node bench/stalls.ts FILE.cpuprofile [--min-ms=2]');
const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d);
const MIN_MS = arg('min-ms', 2);
const TOP = arg('top', 25);
/** only runs starting between these seconds after the profile's start */
const FROM_S = arg('from-s', 0);
const TO_S = arg('to-s', Infinity);
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) => {
  const u = n.callFrame.url.replace(/^file:\/\/.*?\/(src|bench|node_modules)\//, '$1/');
  return `${n.callFrame.functionName || '(anon)'} ${u}:${n.callFrame.lineNumber + 1}`;
};
const stackCache = new Map<number, string[]>();
function stack(id: number): string[] {
  const hit = stackCache.get(id);
  if (hit) return hit;
  const out: string[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (/\/(src|node_modules)\//.test(n.callFrame.url) || n.callFrame.functionName.startsWith('(')) out.push(label(n));
  }
  stackCache.set(id, out);
  return out;
}
let t = prof.startTime;
interface Run { start: number; ms: number; ids: number[]; dts: number[] }
const runs: Run[] = [];
let cur: Run | undefined;
let busyMs = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = (prof.timeDeltas[i] ?? 0) / 1000;
  t += prof.timeDeltas[i] ?? 0;
  const node = byId.get(prof.samples[i]!)!;
  const idle = node.callFrame.functionName === '(idle)';
  if (idle) {
    if (cur) runs.push(cur);
    cur = undefined;
    continue;
  }
  busyMs += dt;
  cur ??= { start: t, ms: 0, ids: [], dts: [] };
  cur.ms += dt;
  cur.ids.push(node.id);
  cur.dts.push(dt);
}
if (cur) runs.push(cur);
// --gap-frame=NAME (under load, where the loop is never idle): a "run" is instead the time between two samples
// whose stack holds a function named NAME (e.g. parserOnIncoming: a request being read), i.e. how long requests
// waited for the loop; idle samples inside such a gap are left out of its attribution
const GAP_FRAME = process.argv.find((a) => a.startsWith('--gap-frame='))?.slice('--gap-frame='.length);
if (GAP_FRAME) {
  runs.length = 0;
  const hasFrame = new Map<number, boolean>();
  const marks = (id: number): boolean => {
    let hit = hasFrame.get(id);
    if (hit === undefined) {
      hit = false;
      for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) if (byId.get(c)!.callFrame.functionName === GAP_FRAME) hit = true;
      hasFrame.set(id, hit);
    }
    return hit;
  };
  let t2 = prof.startTime;
  let gap: Run | undefined;
  for (let i = 0; i < prof.samples.length; i++) {
    t2 += prof.timeDeltas[i] ?? 0;
    const id = prof.samples[i]!;
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    if (marks(id)) {
      if (gap) runs.push(gap);
      gap = { start: t2, ms: 0, ids: [], dts: [] };
      continue;
    }
    if (!gap) continue;
    gap.ms += dt;
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    gap.ids.push(id);
    gap.dts.push(dt);
  }
}
const wall = (t - prof.startTime) / 1000;
const long = runs.filter((r) => r.ms >= MIN_MS && (r.start - prof.startTime) / 1e6 >= FROM_S && (r.start - prof.startTime) / 1e6 <= TO_S);
const lens = long.map((r) => r.ms).sort((a, b) => a - b);
process.stdout.write(`${file}: wall ${(wall / 1000).toFixed(1)} s, busy ${(busyMs / 1000).toFixed(2)} s, runs ≥ ${MIN_MS} ms: ${long.length}, their total ${(lens.reduce((a, b) => a + b, 0)).toFixed(0)} ms, max ${lens.at(-1)?.toFixed(1)} ms, p50 ${lens[Math.floor(lens.length / 2)]?.toFixed(1)} ms\n`);
const total = new Map<string, number>();
const self = new Map<string, number>();
for (const r of long) {
  const seen = new Map<string, number>();
  r.ids.forEach((id, i) => {
    for (const f of new Set(stack(id))) seen.set(f, (seen.get(f) ?? 0) + r.dts[i]!);
    const s0 = label(byId.get(id)!);
    self.set(s0, (self.get(s0) ?? 0) + r.dts[i]!);
  });
  for (const [f, ms] of seen) total.set(f, (total.get(f) ?? 0) + ms);
}
const show = (m: Map<string, number>, title: string) => {
  process.stdout.write(`\n${title}\n`);
  for (const [f, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP)) process.stdout.write(`  ${ms.toFixed(1).padStart(8)} ms  ${f}\n`);
};
show(total, `inclusive time inside runs ≥ ${MIN_MS} ms (src/ and node_modules/ frames)`);
show(self, 'self time inside those runs');
process.stdout.write(`\nlongest runs:\n`);
for (const r of [...long].sort((a, b) => b.ms - a.ms).slice(0, 12)) {
  const seen = new Map<string, number>();
  r.ids.forEach((id, i) => { for (const f of new Set(stack(id))) seen.set(f, (seen.get(f) ?? 0) + r.dts[i]!); });
  const top = [...seen].filter(([f]) => !f.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([f, ms]) => `${f} ${ms.toFixed(1)}`);
  process.stdout.write(`  ${r.ms.toFixed(1)} ms at +${((r.start - prof.startTime) / 1e6).toFixed(2)} s: ${top.join(' | ')}\n`);
}
