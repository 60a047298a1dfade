/**
 * Issue 9 performance target: 500 loopback targets every 5 s. The targets run in a child process
 * (bench/probe-targets.ts); this process runs the real service sources (probeOnce through the Limiter, the
 * ProbeState machine, readings and summary) on a minimal fixed-rate scheduler, each service offset evenly within
 * the interval. Measured over the window after a warm-up: this process's CPU (utime+stime from /proc/self/stat,
 * the targets' process apart), missed cycles (a check still running when its next one is due, or abandoned by
 * its source timeout), check outcomes, probe latency p50/p99, and event-loop delay (what a /metrics request
 * arriving meanwhile would wait) p50/p99/max.
 * Run: node bench/probes.ts [--targets=500] [--seconds=60] [--interval-ms=5000] [--warmup=10]
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { silentLogger } from '../src/lib/logger.ts';
import { ProbeStates } from '../src/probes/incident.ts';
import { Limiter } from '../src/probes/limiter.ts';
import { AgentPool } from '../src/probes/probe.ts';
import { createServiceSource } from '../src/probes/source.ts';
import type { ServiceDefinition } from '../src/probes/types.ts';
import { CLK_TCK, QUICK, cpuTicks, pct, schedMs, sleep, writeResult } from './lib.ts';

const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d);
const TARGETS = arg('targets', 500);
const SECONDS = arg('seconds', QUICK ? 20 : 60);
const INTERVAL = arg('interval-ms', 5000);
const WARMUP = arg('warmup', 10);

const child = spawn(process.execPath, [new URL('./probe-targets.ts', import.meta.url).pathname, String(TARGETS)], { stdio: ['ignore', 'pipe', 'pipe'] });
let childErr = '';
child.stderr!.on('data', (d: Buffer) => (childErr += d.toString()));
const ports = await new Promise<number[]>((resolve, reject) => {
  const rl = createInterface({ input: child.stdout! });
  rl.once('line', (l) => resolve(JSON.parse(l) as number[]));
  child.once('exit', (code) => reject(new Error(`targets exited ${code}: ${childErr}`)));
});

const states = new ProbeStates();
const limiter = new Limiter();
const agents = new AgentPool();
let results = 0;
let failures = 0;
let measuring = false;
let ta = 0;
const latencies: number[] = [];
const reasons: Record<string, number> = {};
/** when (s into the window) each failure happened and what it waited for: clustered = the machine stalled */
const failureLog: string[] = [];
const defs: ServiceDefinition[] = ports.map((port, i) => ({
  id: `svc-${i}`,
  name: `svc-${i}`,
  url: `http://127.0.0.1:${port}/health`,
  expectedVersion: '2.1.0',
  environment: 'bench',
  enabled: true,
  intervalMs: INTERVAL,
  timeoutMs: 2000,
  method: 'GET',
  headers: {},
  expectedStatus: undefined,
  followRedirects: false,
  degradedLatencyMs: 500,
  failureThreshold: 3,
  successThreshold: 1,
  version: undefined,
  source: 'config',
}));
const sources = defs.map((def) =>
  createServiceSource(def, {
    states,
    limiter,
    agents,
    now: Date.now,
    logger: silentLogger(),
    onResult: (r) => {
      if (!measuring) return;
      results++;
      latencies.push(r.latencyMs);
      if (!r.ok) {
        failures++;
        reasons[r.reason ?? 'other'] = (reasons[r.reason ?? 'other'] ?? 0) + 1;
        if (failureLog.length < 200) failureLog.push(`${((performance.now() - ta) / 1000).toFixed(1)}s ${r.reason}: ${r.errorCode}`);
      }
    },
  }),
);

// fixed-rate scheduler: service i runs at t0 + i*INTERVAL/N + k*INTERVAL
let missed = 0;
let abandoned = 0;
let due = 0;
const running = new Set<number>();
const t0 = performance.now() + 100;
const timers: NodeJS.Timeout[] = [];
let stopped = false;
sources.forEach((src, i) => {
  let k = 0;
  const tick = () => {
    if (stopped) return;
    const at = t0 + (i * INTERVAL) / sources.length + ++k * INTERVAL;
    timers[i] = setTimeout(tick, Math.max(0, at - performance.now()));
    if (measuring) due++;
    if (running.has(i)) {
      if (measuring) missed++;
      return;
    }
    running.add(i);
    src
      .collect(AbortSignal.timeout(src.schedule.timeoutMs))
      .catch(() => {
        if (measuring) abandoned++;
      })
      .finally(() => running.delete(i));
  };
  timers[i] = setTimeout(tick, Math.max(0, t0 + (i * INTERVAL) / sources.length - performance.now()));
});

await sleep(WARMUP * 1000);
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
measuring = true;
const a = cpuTicks(process.pid);
const sa = schedMs(process.pid);
ta = performance.now();
await sleep(SECONDS * 1000);
const tb = performance.now();
const b = cpuTicks(process.pid);
const sb = schedMs(process.pid);
measuring = false;
eld.disable();
stopped = true;
for (const t of timers) clearTimeout(t);
await sleep(2500);
agents.close();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));

const wallS = (tb - ta) / 1000;
const ticks = b.utime + b.stime - (a.utime + a.stime);
const out = {
  targets: TARGETS,
  intervalMs: INTERVAL,
  seconds: Math.round(wallS * 10) / 10,
  cpuPercentOfOneCore: Math.round((ticks / CLK_TCK / wallS) * 1000) / 10,
  cpuPercentSchedstat: Math.round(((sb - sa) / 1000 / wallS) * 1000) / 10,
  utimeTicks: b.utime - a.utime,
  stimeTicks: b.stime - a.stime,
  checksDue: due,
  results,
  failures,
  reasons,
  missedCycles: missed,
  abandoned,
  latencyMs: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(...latencies) },
  eventLoopDelayMs: { p50: eld.percentile(50) / 1e6, p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
  failureLog,
  targetsProcess: (() => {
    try {
      return JSON.parse(childErr.trim().split('\n').pop() ?? '{}') as unknown;
    } catch {
      return childErr;
    }
  })(),
};
writeResult(`probes-${TARGETS}.json`, out);
console.log(JSON.stringify(out, null, 2));
