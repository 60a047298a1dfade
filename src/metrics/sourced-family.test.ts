import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Registry } from 'prom-client';
import { createPacer } from '../lib/slice.ts';
import type { Reading } from '../sources/source.ts';
import { SourcedFamily } from './sourced-family.ts';

type Spec = { type: 'gauge' | 'counter'; help: string; labels: readonly string[] };

/** What prom-client renders for the same readings set on a reset Gauge / inc'd on a reset Counter. */
async function promClient(name: string, spec: Spec, readings: Reading[], om: boolean): Promise<string> {
  const registry = new Registry();
  const cfg = { name, help: spec.help, labelNames: [...spec.labels], registers: [registry] };
  const m = spec.type === 'counter' ? new Counter(cfg) : new Gauge(cfg);
  m.reset();
  for (const r of readings) {
    if (!Number.isFinite(r.value)) continue;
    try {
      if (m instanceof Counter) {
        if (r.value >= 0) m.inc(r.labels, r.value);
      } else m.set(r.labels, r.value);
    } catch {
      // prom-client throws on an undeclared label; the family drops that reading
    }
  }
  if (om) {
    (registry as unknown as Registry<"application/openmetrics-text; version=1.0.0; charset=utf-8">).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    (m as unknown as { name: string }).name = name.replace(/_total$/, '');
  }
  return registry.getSingleMetricAsString(name);
}

function family(name: string, spec: Spec, readings: Reading[]): SourcedFamily {
  const f = new SourcedFamily(name, spec);
  f.reset();
  for (const r of readings) f.add(r);
  return f;
}

const svc = (service: string, extra: Record<string, string> = {}) => ({ service, environment: 'prod', ...extra });

const cases: [string, string, Spec, Reading[]][] = [
  [
    'labelled gauge: duplicates keep their first place and the last value, label order does not make a new series',
    'probe_http_duration_seconds',
    { type: 'gauge', help: 'Phases.\nSecond line with a \\ backslash.', labels: ['service', 'environment', 'phase'] },
    [
      { metric: 'probe_http_duration_seconds', labels: svc('a', { phase: 'connect' }), value: 0.001 },
      { metric: 'probe_http_duration_seconds', labels: svc('b', { phase: 'connect' }), value: 2e-7 },
      { metric: 'probe_http_duration_seconds', labels: { phase: 'connect', environment: 'prod', service: 'a' }, value: 3 },
      { metric: 'probe_http_duration_seconds', labels: svc('quote"back\\slash\nnewline', { phase: 'tls' }), value: 12345678901234 },
      { metric: 'probe_http_duration_seconds', labels: svc('c', { phase: 'x', nope: 'undeclared' }), value: 1 },
      { metric: 'probe_http_duration_seconds', labels: svc('d', { phase: 'x' }), value: Number.NaN },
      { metric: 'probe_http_duration_seconds', labels: svc('e'), value: -0.5 },
    ],
  ],
  ['unlabelled gauge without a reading shows 0', 'host_load1', { type: 'gauge', help: '1-minute load.', labels: [] }, []],
  ['unlabelled gauge with a reading', 'host_load1', { type: 'gauge', help: '1-minute load.', labels: [] }, [{ metric: 'host_load1', labels: {}, value: 0.25 }]],
  [
    'counter: duplicates sum, negative values dropped, OpenMetrics names',
    'host_network_receive_bytes_total',
    { type: 'counter', help: 'Bytes received.', labels: ['device'] },
    [
      { metric: 'host_network_receive_bytes_total', labels: { device: 'eth0' }, value: 100 },
      { metric: 'host_network_receive_bytes_total', labels: { device: 'lo' }, value: 0 },
      { metric: 'host_network_receive_bytes_total', labels: { device: 'eth0' }, value: 5 },
      { metric: 'host_network_receive_bytes_total', labels: { device: 'x' }, value: -1 },
    ],
  ],
  ['unlabelled counter without a reading', 'jobs_total', { type: 'counter', help: 'Jobs.', labels: [] }, []],
  ['labelled family without a reading: HELP and TYPE only', 'probe_success', { type: 'gauge', help: 'Up.', labels: ['service'] }, []],
];

for (const [title, name, spec, readings] of cases)
  test(`renders what prom-client renders, both formats: ${title}`, async () => {
    const f = family(name, spec, readings);
    for (const om of [false, true]) {
      const expected = await promClient(name, spec, readings, om);
      assert.equal(await f.renderText(om), expected, om ? 'OpenMetrics' : 'text');
      assert.equal(await f.renderText(om), expected, 'the kept lines render the same');
    }
    // through prom-client's own formatting of get() (what tests and getMetricsAsJSON see)
    const registry = new Registry();
    registry.registerMetric(f as unknown as Parameters<Registry['registerMetric']>[0]);
    assert.equal(await registry.getSingleMetricAsString(name), await promClient(name, spec, readings, false));
  });

test('a large family gives way to the event loop while it renders, and renders the same', async () => {
  const readings: Reading[] = [];
  for (let i = 0; i < 20_000; i++) readings.push({ metric: 'probe_success', labels: svc(`svc-${i}`), value: i % 2 });
  const spec: Spec = { type: 'gauge', help: 'Up.', labels: ['service', 'environment'] };
  const f = family('probe_success', spec, readings);
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  const text = await f.renderText(false, createPacer(0));
  clearInterval(ticker);
  assert.ok(turns > 0, 'timers ran while the family rendered');
  assert.equal(text, await promClient('probe_success', spec, readings, false));
});

test('reset drops the series and the kept lines; set() adds a gauge series', async () => {
  const f = family('prodpulse_status', { type: 'gauge', help: 'Status.', labels: ['target', 'status'] }, []);
  f.set({ target: 'a', status: 'UP' }, 1);
  assert.match(await f.renderText(false), /prodpulse_status\{target="a",status="UP"\} 1$/);
  f.reset();
  f.set({ target: 'b', status: 'UP' }, 0);
  const text = await f.renderText(false);
  assert.doesNotMatch(text, /target="a"/);
  assert.match(text, /prodpulse_status\{target="b",status="UP"\} 0$/);
});
