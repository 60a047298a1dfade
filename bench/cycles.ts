/**
 * Target 5: no growth over 100 000 accelerated sample cycles (QUICK=1: 10 000). In process, the parts the sidecar
 * wires (src/sidecar.ts onSnapshot): Scheduler.sampleOnce over fake collectors replaying this host's real readings
 * (counters rising, gauges moving, host_load1 crossing a rule threshold every 500 cycles so alerts fire and resolve),
 * then SnapshotStore.publish, MetricsRegistry.applySnapshot, Alerting.evaluate (SQLite on a temp file),
 * ExpositionCache.refresh. ManualClock advanced 1 s per cycle. heapUsed/RSS after global.gc() at checkpoints.
 * Run: node --expose-gc bench/cycles.ts [CYCLES]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAlerting } from '../src/alerting.ts';
import type { Collector } from '../src/collectors/collector.ts';
import { collectorOptionsFromConfig, createCollectors } from '../src/collectors/index.ts';
import { hostSource } from '../src/wiring/sources.ts';
import { HOST_METRICS } from '../src/metrics/catalog.ts';
import { hostInfoReading, staticFactsFromOs } from '../src/collectors/static-facts.ts';
import { parseConfig as parseConfigText } from '../src/wiring/config.ts';
import { ManualClock } from '../src/lib/clock.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { ExpositionCache } from '../src/metrics/exposition.ts';
import { MetricsRegistry } from '../src/metrics/registry.ts';
import { Scheduler } from '../src/snapshot/scheduler.ts';
import type { Reading, Snapshot } from '../src/snapshot/snapshot.ts';
import { SnapshotStore } from '../src/snapshot/store.ts';
import { openDatabase } from '../src/store/db.ts';
import { QUICK, RESULTS, benchConfig, mb, pct, writeResult } from './lib.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const N = Number(process.argv[2] ?? (QUICK ? 10_000 : 100_000));
/** diagnosis: PARTS=metrics (publish+apply+refresh only), PARTS=alerting (evaluate only), default all */
const PARTS = process.env.PARTS ?? 'all';
const checkpoints = new Set([0, 1000, 10_000, 25_000, 50_000, 75_000, 100_000, N].filter((c) => c <= N));

const dir = mkdtempSync(join(tmpdir(), 'prodpulse-cycles-'));
const parsed = parseConfigText(benchConfig(dir, '1s'), 'bench.yaml');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const config = parsed.config;
const clock = new ManualClock(Date.now());
const logger = silentLogger();

// one real collection on this host gives the reading set the fakes replay
const real = createCollectors(collectorOptionsFromConfig(config.sampling));
const recorded = await Promise.all(real.map(async (c) => ({ name: c.name, out: await c.collect(new AbortController().signal) })));
let cycle = 0;
const fakes: Collector[] = recorded.map(({ name, out }, i) => ({
  name,
  kind: 'host',
  metrics: real[i]!.metrics,
  async collect() {
    const readings: Reading[] = out.readings.map((r) => {
      let value = r.value;
      if (r.metric.endsWith('_total')) value = r.value + cycle * 17;
      else if (r.metric.endsWith('_ratio')) value = Math.min(1, Math.max(0, r.value + Math.sin(cycle) * 0.01));
      if (r.metric === 'host_load1') value = Math.floor(cycle / 500) % 2 === 1 ? 2000 : 0.5;
      return { metric: r.metric, labels: { ...r.labels }, value };
    });
    return { readings, summary: out.summary };
  },
}));
const readingCount = recorded.reduce((n, r) => n + r.out.readings.length, 0);

const metrics = new MetricsRegistry({ version: 'bench', revision: 'bench', nodeVersion: process.version });
metrics.define(HOST_METRICS);
const exposition = new ExpositionCache(metrics.registry);
const store = new SnapshotStore(config.sampling.history);
const db = openDatabase(join(dir, 'prodpulse.db'));
const alerting = createAlerting(config, { db, clock, logger, metrics });
alerting.start();
const info = hostInfoReading(staticFactsFromOs());
const scheduler = new Scheduler({ sources: fakes.map((c) => hostSource(c, { interval: 1000, timeout: 800 })), intervalMs: 1000, clock, logger, onSnapshot: () => {} });

const phase = { sample: [] as number[], publishApply: [] as number[], evaluate: [] as number[], refresh: [] as number[], total: [] as number[] };
// same steps as onSnapshot in src/sidecar.ts, timed separately
async function onSnapshot(s: Snapshot): Promise<void> {
  const t0 = performance.now();
  s.readings.push(info);
  if (PARTS !== 'alerting') {
    await store.publish(s);
    metrics.applySnapshot(s);
  }
  const t1 = performance.now();
  if (PARTS !== 'metrics') await alerting.evaluate(s.readings, s.unavailable);
  const t2 = performance.now();
  if (PARTS !== 'alerting') await exposition.refresh();
  const t3 = performance.now();
  phase.publishApply.push(t1 - t0);
  phase.evaluate.push(t2 - t1);
  phase.refresh.push(t3 - t2);
}

const rows: { cycles: number; heapUsedMB: number; rssMB: number; externalMB: number; arrayBuffersMB: number; elapsedS: number }[] = [];
const started = performance.now();
const checkpoint = (c: number) => {
  gc();
  gc();
  const m = process.memoryUsage();
  const row = { cycles: c, heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), rssMB: mb(m.rss), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers), elapsedS: Math.round((performance.now() - started) / 100) / 10 };
  rows.push(row);
  process.stdout.write(`${JSON.stringify(row)}\n`);
};

checkpoint(0);
for (cycle = 1; cycle <= N; cycle++) {
  clock.advance(1000);
  const t = performance.now();
  const snap = await scheduler.sampleOnce();
  phase.sample.push(performance.now() - t);
  await onSnapshot(snap);
  phase.total.push(performance.now() - t);
  // let the event loop turn once, as the timer-driven sidecar does between cycles (prom-client's event-loop-lag
  // collect() schedules a setImmediate per render; a loop of resolved awaits alone would never run them)
  await new Promise((r) => setImmediate(r));
  if (phase.total.length >= 10_000) {
    // keep timing arrays bounded: summarise the last window only
    for (const k of Object.keys(phase) as (keyof typeof phase)[]) phase[k] = phase[k].slice(-1000);
  }
  if (checkpoints.has(cycle)) checkpoint(cycle);
  // diagnosis: HEAPSNAP=2000,6000 writes heap snapshots at those cycles into bench/results/
  if (process.env.HEAPSNAP?.split(',').includes(String(cycle))) {
    gc();
    (await import('node:v8')).writeHeapSnapshot(`${RESULTS}cycles-${cycle}.heapsnapshot`);
  }
}
const timing = Object.fromEntries(Object.entries(phase).map(([k, v]) => [k, { p50ms: Math.round(pct(v, 50) * 1000) / 1000, p99ms: Math.round(pct(v, 99) * 1000) / 1000, maxms: Math.round(Math.max(...v) * 1000) / 1000 }]));
const body = exposition.get(undefined)?.body.length ?? 0;
await alerting.stop();
db.close();
const first = rows.find((r) => r.cycles === Math.min(10_000, N)) ?? rows[0]!;
const last = rows.at(-1)!;
const summary = {
  command: `${PARTS === 'all' ? '' : `PARTS=${PARTS} `}node --expose-gc bench/cycles.ts ${N}`,
  readingsPerCycle: readingCount + 1,
  metricsBodyBytes: body,
  checkpoints: rows,
  heapGrowthMB_from10kToEnd: Math.round((last.heapUsedMB - first.heapUsedMB) * 10) / 10,
  rssGrowthMB_from10kToEnd: Math.round((last.rssMB - first.rssMB) * 10) / 10,
  perCycleTiming_lastWindow: timing,
  cyclesPerSecond: Math.round(N / ((performance.now() - started) / 1000)),
};
writeResult(`cycles${QUICK ? '-quick' : ''}${PARTS === 'all' ? '' : `-${PARTS}`}${process.argv[2] ? `-${N}` : ''}.json`, summary);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
