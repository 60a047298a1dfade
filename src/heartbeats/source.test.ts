import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Counter, Gauge, Registry } from 'prom-client';
import { missingBinary } from '../../test/support/binaries.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heartbeatDefaultsSchema, heartbeatsSchema } from '../config/heartbeats.ts';
import { loadConfigFile } from '../config/load.ts';
import { ManualClock } from '../lib/clock.ts';
import { silentLogger } from '../lib/logger.ts';
import { RuleEngine } from '../rules/engine.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import { heartbeatSettings } from './settings.ts';
import { createHeartbeatSource, HEARTBEAT_METRICS, type HeartbeatSummary } from './source.ts';
import { HeartbeatTracker } from './tracker.ts';

const ALERTS_YAML = join(dirname(fileURLToPath(import.meta.url)), '../../alerts.yaml');

function setup(jobs: unknown[], defaults: unknown = {}) {
  const clock = new ManualClock();
  const tracker = new HeartbeatTracker(
    heartbeatSettings({ heartbeats: heartbeatsSchema.parse(jobs), defaults: { heartbeats: heartbeatDefaultsSchema.parse(defaults) } }),
    { clock, logger: silentLogger() },
  );
  return { clock, tracker, source: createHeartbeatSource(tracker) };
}

const value = (readings: Reading[], metric: string, service: string, extra: Record<string, string> = {}): number | undefined =>
  readings.find((r) => r.metric === metric && r.labels.service === service && Object.entries(extra).every(([k, v]) => r.labels[k] === v))?.value;

/** The shipped alerts.yaml rules on heartbeat and pushed metrics. */
async function shippedRules() {
  const loaded = await loadConfigFile(ALERTS_YAML, { env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  const rules = loaded.config.rules.filter((r) => r.metric in HEARTBEAT_METRICS);
  assert.deepEqual(
    rules.map((r) => r.alert).sort(),
    ['HIGH_CPU', 'HIGH_ERROR_RATE', 'HeartbeatLate', 'HeartbeatMissed', 'HeartbeatRunTimeout', 'JobFailed', 'SERVICE_DOWN'],
  );
  return rules;
}

test('readings: every metric has a spec with exactly its labels; names follow Prometheus conventions', async () => {
  const { clock, tracker, source } = setup([{ service: 'job', interval: '1m', run_timeout: '5m' }]);
  tracker.ping('job', { kind: 'start', rid: 'a' });
  clock.advance(2000);
  tracker.ping('job', { kind: 'success', rid: 'a', pushed: { cpu: 0.5, memory: 0.25, latencySeconds: 0.1, errorRate: 0 } });
  const { readings } = source.read(clock.now());
  const produced = new Set(readings.map((r) => r.metric));
  assert.deepEqual([...produced].sort(), Object.keys(HEARTBEAT_METRICS).sort(), 'one ping of each sort produces every metric');
  for (const r of readings) {
    const spec = HEARTBEAT_METRICS[r.metric as keyof typeof HEARTBEAT_METRICS];
    assert.deepEqual(Object.keys(r.labels).sort(), [...spec.labels].sort(), r.metric);
    assert.equal(spec.type === 'counter', r.metric.endsWith('_total'), r.metric);
    assert.ok(Number.isFinite(r.value), r.metric);
  }
  assert.equal(value(readings, 'heartbeat_last_seen_timestamp_seconds', 'job'), clock.now() / 1000);
  assert.equal(value(readings, 'heartbeat_run_duration_seconds', 'job'), 2);
  assert.equal(value(readings, 'heartbeat_pings_total', 'job', { kind: 'start' }), 1);
  assert.equal(value(readings, 'heartbeat_pings_total', 'job', { kind: 'success' }), 1);
  assert.equal(value(readings, 'heartbeat_pings_total', 'job', { kind: 'fail' }), 0);
});

test('derived gauges: late, down, failing and run_overdue follow each job\'s own settings', async () => {
  const { clock, tracker, source } = setup([
    { service: 'a', interval: '1m', allowed_misses: 3 },
    { service: 'b', interval: '1m', allowed_misses: 1, fail_threshold: 2, run_timeout: '90s' },
  ]);
  tracker.ping('a', { kind: 'success' });
  tracker.ping('b', { kind: 'fail' });
  tracker.ping('b', { kind: 'start' });
  clock.advance(60_001);
  let r = source.read(clock.now()).readings;
  assert.deepEqual([value(r, 'heartbeat_missed_intervals', 'a'), value(r, 'heartbeat_late', 'a'), value(r, 'heartbeat_down', 'a')], [1, 1, 0]);
  assert.deepEqual([value(r, 'heartbeat_missed_intervals', 'b'), value(r, 'heartbeat_late', 'b'), value(r, 'heartbeat_down', 'b')], [1, 0, 1]);
  assert.deepEqual([value(r, 'heartbeat_consecutive_failures', 'b'), value(r, 'heartbeat_failing', 'b'), value(r, 'heartbeat_run_overdue', 'b')], [1, 0, 0]);
  tracker.ping('b', { kind: 'fail', message: 'exit 2' });
  clock.advance(120_001);
  r = source.read(clock.now()).readings;
  assert.deepEqual([value(r, 'heartbeat_missed_intervals', 'a'), value(r, 'heartbeat_late', 'a'), value(r, 'heartbeat_down', 'a')], [3, 0, 3]);
  assert.deepEqual([value(r, 'heartbeat_failing', 'b'), value(r, 'heartbeat_run_overdue', 'b')], [2, 0], 'the failure ended the run');
  const summary = source.read(clock.now()).summary as HeartbeatSummary;
  const b = summary.jobs.find((j) => j.service === 'b')!;
  assert.equal(b.status, 'down');
  assert.equal(b.lastMessage, 'exit 2');
  assert.equal(b.consecutiveFailures, 2);
});

test('summary: last message redacted upstream and cut to a preview; times in ISO; pushed in percent and ms', async () => {
  const { clock, tracker, source } = setup([{ service: 'api', interval: '1s', allowed_misses: 5 }]);
  tracker.ping('api', { kind: 'fail', message: 'e'.repeat(5000) });
  tracker.ping('api', { kind: 'start' }); // a start without a body keeps the message
  clock.advance(100);
  tracker.ping('api', { kind: 'start', rid: 'r' });
  const j = (source.read(clock.now()).summary as HeartbeatSummary).jobs[0]!;
  assert.equal(j.lastMessage!.length, 201);
  assert.equal(j.runStartedAt, new Date(clock.now() - 100).toISOString());
  assert.equal(j.lastPingAt, new Date(clock.now()).toISOString());
  assert.equal(j.nextDeadlineAt, new Date(clock.now() - 100 + 1000).toISOString());
  tracker.ping('api', { kind: 'success', pushed: { cpu: 0.851, memory: 0.5, latencySeconds: 0.25, errorRate: 0.02 } });
  const p = (source.read(clock.now()).summary as HeartbeatSummary).jobs[0]!.pushed!;
  assert.deepEqual({ ...p, at: undefined }, { at: undefined, stale: false, cpuPercent: 85.1, memoryPercent: 50, latencyMs: 250, errorRate: 0.02 });
});

test('pushed metrics reproduce the real-time monitor: 85.0 % is not HIGH_CPU, 85.1 % is; error rate > 0.10 strictly', async () => {
  const rules = await shippedRules();
  const { clock, tracker, source } = setup([{ service: 'checkout-api', interval: '1s', allowed_misses: 5 }]);
  const engine = new RuleEngine({ rules, clock });
  const firing = () => engine.firing().map((a) => a.alert).sort();
  const push = (cpu: number, errorRate: number) => tracker.ping('checkout-api', { kind: 'success', pushed: { cpu: cpu / 100, memory: 0.3, latencySeconds: 0.05, errorRate } });

  push(85.0, 0.1);
  await engine.evaluate(source.read(clock.now()).readings);
  assert.deepEqual(firing(), [], 'exactly at the thresholds: healthy');
  clock.advance(1000);
  push(85.1, 0.1);
  let events = await engine.evaluate(source.read(clock.now()).readings);
  assert.deepEqual(events.map((e) => `${e.kind}:${e.alert}`), ['firing:HIGH_CPU']);
  clock.advance(1000);
  push(20, 0.1001);
  events = await engine.evaluate(source.read(clock.now()).readings);
  assert.deepEqual(events.map((e) => `${e.kind}:${e.alert}`).sort(), ['firing:HIGH_ERROR_RATE', 'resolved:HIGH_CPU']);
});

test('a service that stops pinging: pushed readings go stale (no HIGH_CPU from a DOWN service), SERVICE_DOWN after > 5 s, one recovery', async () => {
  const rules = await shippedRules();
  const { clock, tracker, source } = setup([{ service: 'checkout-api', interval: '1s', allowed_misses: 5 }]);
  const engine = new RuleEngine({ rules, clock });
  const evaluate = async () => (await engine.evaluate(source.read(clock.now()).readings)).map((e) => `${e.kind}:${e.alert}`).sort();

  tracker.ping('checkout-api', { kind: 'success', pushed: { cpu: 0.97, memory: 0.5, errorRate: 0 } });
  assert.deepEqual(await evaluate(), ['firing:HIGH_CPU']);
  clock.advance(1000);
  let r = source.read(clock.now()).readings;
  assert.equal(value(r, 'service_cpu_usage_ratio', 'checkout-api'), 0.97, 'the boundary of the first deadline is on time');
  clock.advance(1);
  r = source.read(clock.now()).readings;
  assert.equal(value(r, 'service_cpu_usage_ratio', 'checkout-api'), undefined, 'stale once a deadline is missed');
  assert.equal(value(r, 'service_memory_usage_ratio', 'checkout-api'), undefined);
  assert.equal(value(r, 'service_up', 'checkout-api'), 1);
  assert.deepEqual(await evaluate(), ['firing:HeartbeatLate', 'resolved:HIGH_CPU']);

  clock.advance(3999); // exactly 5 s of silence: not yet down
  assert.deepEqual(await evaluate(), []);
  clock.advance(1); // more than 5 s
  assert.deepEqual(await evaluate(), ['firing:HeartbeatMissed', 'firing:SERVICE_DOWN', 'resolved:HeartbeatLate']);
  assert.deepEqual(engine.firing().map((a) => a.alert).sort(), ['HeartbeatMissed', 'SERVICE_DOWN'], 'no CPU alert from a DOWN service');
  const missed = engine.firing().find((a) => a.alert === 'HeartbeatMissed')!;
  assert.equal(missed.summary, 'checkout-api missed 5 consecutive heartbeats');
  clock.advance(10_000);
  assert.deepEqual(await evaluate(), [], 'firing once, not again');

  tracker.ping('checkout-api', { kind: 'success', pushed: { cpu: 0.2, memory: 0.5, errorRate: 0 } });
  assert.deepEqual(await evaluate(), ['resolved:HeartbeatMissed', 'resolved:SERVICE_DOWN']);
  assert.deepEqual(await evaluate(), []);
});

test('shipped rules: JobFailed and HeartbeatRunTimeout fire once and resolve once on the next success', async () => {
  const rules = await shippedRules();
  const { clock, tracker, source } = setup([{ service: 'nightly-backup', interval: '1d', run_timeout: '2h' }]);
  const engine = new RuleEngine({ rules, clock });
  const evaluate = async () => (await engine.evaluate(source.read(clock.now()).readings)).map((e) => `${e.kind}:${e.alert}`).sort();
  tracker.ping('nightly-backup', { kind: 'fail', exitCode: 2, message: 'tar: disk full' });
  assert.deepEqual(await evaluate(), ['firing:JobFailed']);
  assert.equal(engine.firing()[0]!.summary, 'nightly-backup failed 1 times in a row');
  tracker.ping('nightly-backup', { kind: 'start' });
  clock.advance(2 * 3_600_000 + 1);
  assert.deepEqual(await evaluate(), ['firing:HeartbeatRunTimeout']);
  tracker.ping('nightly-backup', { kind: 'success' });
  assert.deepEqual(await evaluate(), ['resolved:HeartbeatRunTimeout', 'resolved:JobFailed']);
});

test('promtool check metrics: the heartbeat metrics as exposed lint clean', { skip: missingBinary('/usr/bin/promtool', 'prometheus') }, async () => {
  const { clock, tracker, source } = setup([{ service: 'job', interval: '1m', run_timeout: '5m' }]);
  tracker.ping('job', { kind: 'start', rid: 'a' });
  clock.advance(2000);
  tracker.ping('job', { kind: 'success', rid: 'a', pushed: { cpu: 0.5, memory: 0.25, latencySeconds: 0.1, errorRate: 0 } });
  const registry = new Registry();
  const metrics = new Map<string, Gauge | Counter>();
  for (const [name, spec] of Object.entries(HEARTBEAT_METRICS)) {
    const opts = { name, help: spec.help, labelNames: [...spec.labels], registers: [registry] };
    metrics.set(name, spec.type === 'counter' ? new Counter(opts) : new Gauge(opts));
  }
  for (const r of source.read(clock.now()).readings) {
    const m = metrics.get(r.metric)!;
    if (m instanceof Counter) m.inc(r.labels, r.value);
    else m.set(r.labels, r.value);
  }
  const text = await registry.metrics();
  const res = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
  assert.equal(`${res.stdout}${res.stderr}`.trim(), '', 'no lint findings');
});
