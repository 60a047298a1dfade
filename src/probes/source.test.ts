import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { missingBinary } from '../../test/support/binaries.ts';
import { OK, probeTargetForFile, startProbeTarget, testService } from '../../test/support/probe-target.ts';
import { createLogger } from '../lib/logger.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import { ProbeStates, type Transition } from './incident.ts';
import { Limiter } from './limiter.ts';
import { PROBE_METRICS, createServiceSource, displayUrl, type ServiceSummary } from './source.ts';
import type { ProbeResult, ServiceDefinition } from './types.ts';

const kit = probeTargetForFile();
const { agents } = kit;

function harness(def: ServiceDefinition) {
  const logs: Record<string, unknown>[] = [];
  const results: { r: ProbeResult; transitions: readonly Transition[] }[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => void logs.push(JSON.parse(l) as Record<string, unknown>) } });
  const states = new ProbeStates();
  const source = createServiceSource(def, {
    states,
    limiter: new Limiter(4),
    agents,
    now: () => Date.now(),
    logger,
    onResult: (r, transitions) => void results.push({ r, transitions }),
  });
  const run = async () => {
    const out = await source.collect(new AbortController().signal);
    for (const r of out.readings) assert.ok(r.metric in PROBE_METRICS, `a spec for ${r.metric}`);
    for (const r of out.readings) assert.deepEqual(Object.keys(r.labels).sort(), [...PROBE_METRICS[r.metric as keyof typeof PROBE_METRICS].labels].sort(), r.metric);
    return { readings: out.readings, summary: out.summary as ServiceSummary };
  };
  return { source, logs, results, states, run };
}

const value = (readings: Reading[], metric: string, labels: Record<string, string> = {}) =>
  readings.find((r) => r.metric === metric && Object.entries(labels).every(([k, v]) => r.labels[k] === v))?.value;

test('the source: name, kind, schedule from the service', () => {
  const { source } = harness(testService(`${kit.target.origin}/`, { intervalMs: 10_000, timeoutMs: 3000 }));
  assert.equal(source.name, 'service:payments');
  assert.equal(source.kind, 'service');
  assert.deepEqual(source.schedule, { intervalMs: 10_000, timeoutMs: 4000 });
});

test('loopback sequence fail×3, ok, fail×3: incidents at checks 3 and 7, one recovery between, one log line each', async () => {
  const h = harness(testService(`${kit.target.origin}/health`));
  const fail = { kind: 'json', status: 500, version: '2.1.0' } as const;
  const incident: number[] = [];
  for (const mode of [fail, fail, fail, OK, fail, fail, fail]) {
    kit.target.queue(mode);
    const { readings } = await h.run();
    incident.push(value(readings, 'probe_incident')!);
  }
  assert.deepEqual(incident, [0, 0, 3, 0, 0, 0, 3]);
  const kinds = h.results.map((x) => x.transitions.map((t) => t.kind));
  assert.deepEqual(kinds, [[], [], ['incident_open'], ['incident_close'], [], [], ['incident_open']]);
  const lines = h.logs.map((l) => l.msg);
  assert.deepEqual(lines.filter((m) => /^CRITICAL INCIDENT/.test(String(m))), [
    'CRITICAL INCIDENT: payments failed 3 consecutive checks (status: HTTP 500)',
    'CRITICAL INCIDENT: payments failed 3 consecutive checks (status: HTTP 500)',
  ]);
  assert.equal(lines.filter((m) => /^RECOVERED: payments after 3 failed checks/.test(String(m))).length, 1);
  assert.equal(h.results.length, 7, 'every result reaches onResult');
});

test('readings and summary of a failing and an open incident: reason, detail, labels', async () => {
  const h = harness(testService(`${kit.target.origin}/`, { failureThreshold: 1, timeoutMs: 200 }));
  kit.target.queue({ kind: 'hang' });
  const { readings, summary } = await h.run();
  assert.equal(value(readings, 'probe_success'), 0);
  assert.equal(value(readings, 'probe_failure_info', { reason: 'timeout' }), 1);
  assert.equal(value(readings, 'probe_incident', { reason: 'timeout', detail: 'waiting for first byte' }), 1);
  assert.equal(value(readings, 'probe_http_status_code'), 0);
  assert.equal(summary.up, false);
  assert.equal(summary.reason, 'timeout');
  assert.equal(summary.incidentOpen, true);
  assert.equal(summary.consecutiveFailures, 1);
});

test('drift raised and resolved through the metrics; version info always present', async () => {
  const h = harness(testService(`${kit.target.origin}/`, { expectedVersion: '2.1.0' }));
  kit.target.queue(OK);
  let { readings } = await h.run();
  assert.equal(value(readings, 'probe_version_drift'), 0);
  assert.equal(value(readings, 'probe_version_info', { expected: '2.1.0', found: '2.1.0' }), 1);
  kit.target.queue({ kind: 'json', version: '2.2.0' });
  ({ readings } = await h.run());
  assert.equal(value(readings, 'probe_version_drift', { expected: '2.1.0', found: '2.2.0' }), 1);
  assert.ok(h.logs.some((l) => l.msg === 'VERSION DRIFT: payments expected 2.1.0, found 2.2.0'));
  kit.target.queue(OK);
  const out = await h.run();
  assert.equal(value(out.readings, 'probe_version_drift', { found: '2.1.0' }), 0);
  assert.equal(out.summary.drift, false);
  assert.deepEqual(
    h.results.flatMap((x) => x.transitions.map((t) => t.kind)),
    ['version_change', 'drift_start', 'version_change', 'drift_end'],
  );
  assert.equal(h.logs.filter((l) => /^VERSION DRIFT:/.test(String(l.msg))).length, 1, 'logged once');
});

test('per-phase timings and slow checks', async () => {
  const h = harness(testService(`${kit.target.origin}/?slow`, { degradedLatencyMs: 50, id: 'slow-one' }));
  kit.target.queue({ kind: 'json', version: '2.1.0', delayMs: 120 });
  const { readings, summary } = await h.run();
  assert.ok(value(readings, 'probe_slow_seconds')! >= 0.1);
  assert.ok(value(readings, 'probe_http_duration_seconds', { phase: 'processing' })! >= 0.1);
  for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer'])
    assert.equal(typeof value(readings, 'probe_http_duration_seconds', { phase }), 'number', phase);
  assert.equal(summary.slow, true);
  kit.target.queue(OK);
  assert.equal(value((await h.run()).readings, 'probe_slow_seconds'), 0);
});

test('the summary never shows URL credentials or header secrets', async () => {
  const port = new URL(kit.target.origin).port;
  const h = harness(testService(`http://bob:pw-1234567@127.0.0.1:${port}/?key=sekrit-key-123`, { headers: { 'X-Key': 'sekrit-key-123' } }));
  kit.target.queue({ kind: 'json', status: 503 });
  const { summary } = await h.run();
  const text = JSON.stringify(summary);
  assert.ok(!text.includes('pw-1234567') && !text.includes('bob') && !text.includes('sekrit-key-123'), text);
  assert.equal(displayUrl({ url: 'https://a.example/x?api_key=abc&page=2&signature=zz', headers: {} }), 'https://a.example/x?api_key=[REDACTED]&page=2&signature=REDACTED');
});

test('an onResult that throws is logged; the check still publishes', async () => {
  const logs: Record<string, unknown>[] = [];
  const source = createServiceSource(testService(`${kit.target.origin}/`), {
    states: new ProbeStates(),
    limiter: new Limiter(1),
    agents,
    now: Date.now,
    logger: createLogger({ level: 'info', destination: { write: (l: string) => void logs.push(JSON.parse(l) as Record<string, unknown>) } }),
    onResult: () => {
      throw new Error('disk full');
    },
  });
  kit.target.queue(OK);
  const out = await source.collect(new AbortController().signal);
  assert.equal(value(out.readings, 'probe_success'), 1);
  assert.ok(logs.some((l) => l.msg === 'storing a probe result failed'));
});

test('a check abandoned by its source timeout does not change the state', async () => {
  const h = harness(testService(`${kit.target.origin}/`, { timeoutMs: 5000 }));
  kit.target.queue({ kind: 'hang' });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(h.source.collect(ac.signal), /abandoned/);
  assert.equal(h.states.peek('payments'), undefined);
  assert.equal(h.results.length, 0);
});

test('the probe metrics pass promtool check metrics', { skip: missingBinary('/usr/bin/promtool', 'prometheus') }, async () => {
  const h = harness(testService(`${kit.target.origin}/`, { expectedVersion: '2.1.0', failureThreshold: 1 }));
  kit.target.queue({ kind: 'json', status: 500, version: '2.2.0' });
  const { readings } = await h.run();
  let text = '';
  for (const [name, spec] of Object.entries(PROBE_METRICS)) {
    text += `# HELP ${name} ${spec.help}\n# TYPE ${name} ${spec.type}\n`;
    for (const r of readings.filter((x) => x.metric === name))
      text += `${name}{${Object.entries(r.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}} ${r.value}\n`;
  }
  const res = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(res.status, 0, `${res.stdout}${res.stderr}\n${text}`);
  assert.equal(res.stdout + res.stderr, '', 'no lint findings');
});

test('a hung target does not delay another one', async () => {
  const hung = await startProbeTarget({ kind: 'hang' });
  try {
    const limiter = new Limiter(4);
    const mk = (def: ServiceDefinition) =>
      createServiceSource(def, { states: new ProbeStates(), limiter, agents, now: Date.now, logger: createLogger({ level: 'silent' }), onResult: () => {} });
    const slow = mk(testService(`${hung.origin}/`, { id: 'hung', timeoutMs: 3000 }));
    const fast = mk(testService(`${kit.target.origin}/`, { id: 'fast' }));
    kit.target.queue(OK);
    const slowRun = slow.collect(new AbortController().signal);
    const t = Date.now();
    const out = await fast.collect(new AbortController().signal);
    assert.equal(value(out.readings, 'probe_success'), 1);
    assert.ok(Date.now() - t < 2500, 'the fast check did not wait for the hung one');
    assert.equal(value((await slowRun).readings, 'probe_failure_info', { reason: 'timeout' }), 1);
  } finally {
    await hung.close();
  }
});
