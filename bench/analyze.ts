/**
 * `analyze` on 1 000 000 events (100 services, shuffled, ~60 MB): wall time and peak RSS of the CLI process.
 *
 *   node bench/analyze.ts [--events=1000000] [--runs=3] [--keep]
 *
 * Generates the file in a temp dir (deterministic PRNG: each service beats every 60 s with a few random
 * silences so there are alerts to report), then runs `node src/main.ts analyze --file F --quiet --output O`
 * under /usr/bin/time -v (peak RSS = "Maximum resident set size"), RUNS times, and prints/saves the figures.
 * Target (issue 10): ≤ 1.5 s wall and ≤ 300 MB peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeResult } from './lib.ts';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const EVENTS = Number(arg('events', '1000000'));
const RUNS = Number(arg('runs', '3'));
const SERVICES = 100;

/** mulberry32 */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(path: string): number {
  const rand = prng(42);
  const perService = Math.ceil(EVENTS / SERVICES);
  const start = Date.UTC(2025, 7, 4) / 1000;
  const lines: string[] = [];
  for (let s = 0; s < SERVICES && lines.length < EVENTS; s++) {
    const name = `service-${String(s).padStart(3, '0')}`;
    let t = start + Math.floor(rand() * 60);
    for (let k = 0; k < perService && lines.length < EVENTS; k++) {
      lines.push(`{"service": "${name}", "timestamp": "${new Date(t * 1000).toISOString().replace('.000Z', 'Z')}"}`);
      // mostly on time (±2 s jitter), 0.5 % of gaps are a silence of 3–10 intervals
      t += rand() < 0.005 ? 60 * (3 + Math.floor(rand() * 8)) : 58 + Math.floor(rand() * 5);
    }
  }
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  const fd = openSync(path, 'w');
  writeSync(fd, '[\n');
  for (let i = 0; i < lines.length; i += 10_000) writeSync(fd, `${lines.slice(i, i + 10_000).join(',\n')}${i + 10_000 < lines.length ? ',\n' : '\n'}`);
  writeSync(fd, ']\n');
  closeSync(fd);
  return statSync(path).size;
}

const dir = mkdtempSync(join(tmpdir(), 'prodpulse-analyze-'));
try {
  const file = join(dir, 'events.json');
  const out = join(dir, 'alerts.json');
  const t = performance.now();
  const size = generate(file);
  console.log(`generated ${EVENTS} events, ${(size / 1e6).toFixed(1)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s: ${file}`);
  const runs: { wallS: number; timeWallS: number; peakRssMb: number; userS: number; sysS: number }[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const p = spawnSync('/usr/bin/time', ['-v', process.execPath, 'src/main.ts', 'analyze', '--file', file, '--quiet', '--output', out], { encoding: 'utf8' });
    const wallS = (performance.now() - t0) / 1000;
    if (p.status !== 0) throw new Error(`analyze failed (${p.status}): ${p.stderr}`);
    const field = (label: string) => new RegExp(`${label}: (.+)`).exec(p.stderr)?.[1]?.trim() ?? '';
    const hms = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)').split(':').map(Number);
    const timeWallS = hms.reduce((acc, v) => acc * 60 + v, 0);
    const run = { wallS: Math.round(wallS * 1000) / 1000, timeWallS, peakRssMb: Math.round(Number(field('Maximum resident set size \\(kbytes\\)')) / 1024), userS: Number(field('User time \\(seconds\\)')), sysS: Number(field('System time \\(seconds\\)')) };
    runs.push(run);
    console.log(`run ${r + 1}: wall ${run.wallS} s (time: ${run.timeWallS} s), peak RSS ${run.peakRssMb} MB, user ${run.userS} s, sys ${run.sysS} s`);
  }
  const alerts = (JSON.parse(readFileSync(out, 'utf8')) as unknown[]).length;
  const best = [...runs].sort((a, b) => a.wallS - b.wallS)[0]!;
  const median = [...runs].sort((a, b) => a.wallS - b.wallS)[Math.floor(runs.length / 2)]!;
  const summary = { node: process.version, events: EVENTS, services: SERVICES, bytes: size, alerts, runs, best, median, target: { wallS: 1.5, peakRssMb: 300 } };
  console.log(`alerts: ${alerts}; median wall ${median.wallS} s, peak RSS ${median.peakRssMb} MB (target ≤ 1.5 s, ≤ 300 MB)`);
  writeResult('analyze.json', summary);
} finally {
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
