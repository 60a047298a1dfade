/**
 * Evidence for target 3: the idle CPU floor of a Node process (a) doing nothing but a 5 s timer, (b) with
 * prom-client's event-loop-delay monitor as src/metrics/registry.ts configures it (monitorEventLoopDelay, 10 ms
 * resolution = 100 timer wakeups/s), (c) with collectDefaultMetrics at the default precision; 30 s each
 * (QUICK=1: 10 s), utime+stime+cutime+cstime from /proc.
 * Run: node bench/eld-cost.ts
 */
import { CLK_TCK, QUICK, cpuTicks, schedMs, sleep, startProc, writeResult } from './lib.ts';

const seconds = QUICK ? 10 : 30;
const variants: Record<string, string> = {
  'bare node, 5 s timer': `setInterval(() => {}, 5000);`,
  'monitorEventLoopDelay resolution 10 ms': `require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }).enable(); setInterval(() => {}, 5000);`,
  'prom-client collectDefaultMetrics, eventLoopMonitoringPrecision 10 (as registry.ts)': `const p = require('prom-client'); p.collectDefaultMetrics({ register: new p.Registry(), eventLoopMonitoringPrecision: 10 }); setInterval(() => {}, 5000);`,
  'prom-client collectDefaultMetrics, eventLoopMonitoringPrecision 1000': `const p = require('prom-client'); p.collectDefaultMetrics({ register: new p.Registry(), eventLoopMonitoringPrecision: 1000 }); setInterval(() => {}, 5000);`,
};
const out: Record<string, unknown> = {};
for (const [name, code] of Object.entries(variants)) {
  const p = startProc(process.execPath, ['-e', code], { cwd: new URL('..', import.meta.url).pathname });
  await sleep(3000);
  const a = cpuTicks(p.pid);
  const sa = schedMs(p.pid);
  await sleep(seconds * 1000);
  const b = cpuTicks(p.pid);
  const sb = schedMs(p.pid);
  await p.stop();
  out[name] = { ticks: b.total - a.total, pctOfOneCore: Math.round(((b.total - a.total) / CLK_TCK / seconds) * 100 * 1000) / 1000, schedstatPctOfOneCore: Math.round(((sb - sa) / 1000 / seconds) * 100 * 1000) / 1000 };
  process.stdout.write(`${name}: ${JSON.stringify(out[name])}\n`);
}
writeResult('eld-cost.json', { command: 'node bench/eld-cost.ts', seconds, ...out });
