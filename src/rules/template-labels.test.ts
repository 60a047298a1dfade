import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parseConfig as parseConfigText, loadConfig as loadConfigFile } from '../wiring/config.ts';
import { collectorOptionsFromConfig, createCollectors } from '../collectors/index.ts';
import { readStaticFacts } from '../collectors/static-facts.ts';
import { KNOWN_METRIC_LABELS } from '../wiring/catalog.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import { alertLabels } from './engine.ts';
import { resolveExternalLabels } from './external-labels.ts';
import { compileMatchers } from './matchers.ts';
import { templateLabelWarnings } from './template-labels.ts';
import { configSchema } from '../config/schema.ts';
import { createHeartbeats } from '../wiring/heartbeats.ts';
import { ManualClock } from '../lib/clock.ts';
import { silentLogger } from '../lib/logger.ts';
import { ServiceSources } from '../probes/service-sources.ts';
import { openDatabase } from '../store/db.ts';
import { startProbeTarget, testService } from '../../test/support/probe-target.ts';
import { parseTemplate, renderTemplate } from './templates.ts';

const SHIPPED = fileURLToPath(new URL('../../alerts.yaml', import.meta.url));

/** Real probe readings: a loopback target that fails three checks (an open incident) with a drifting version. */
async function probeSample(): Promise<Reading[]> {
  const target = await startProbeTarget({ kind: 'json', status: 500, version: '2.2.0' });
  const services = new ServiceSources({ now: () => Date.now(), logger: silentLogger(), onResult: () => {} });
  try {
    const [source] = services.apply([testService(`${target.origin}/health`, { expectedVersion: '2.1.0', degradedLatencyMs: 0 })]).added;
    let out: Reading[] = [];
    for (let i = 0; i < 3; i++) out = (await source!.collect(AbortSignal.timeout(10_000))).readings;
    return out;
  } finally {
    services.close();
    await target.close();
  }
}

/** Real heartbeat readings: a job that pushed metrics, then failed. */
function heartbeatSample(): Reading[] {
  const clock = new ManualClock();
  const hb = createHeartbeats(configSchema.parse({ heartbeats: [{ service: 'payment', interval: '1s', run_timeout: '1m' }] }), { db: openDatabase(':memory:'), clock, logger: silentLogger(), token: () => undefined });
  hb.tracker.ping('payment', { kind: 'success', pushed: { cpu: 0.5, memory: 0.5, latencySeconds: 0.01, errorRate: 0 } });
  hb.tracker.ping('payment', { kind: 'fail', message: 'exit 1' });
  return hb.source.read(clock.now()).readings;
}

test('load warns, with FILE:LINE:COL and the labels that exist, when a template names a label its metric never has', () => {
  const text = `external_labels: { env: prod }
rules:
  - alert: Mem
    metric: host_memory_used_ratio
    op: ">"
    threshold: 90%
    labels: { team: ops }
    summary: "{{ labels.mountpoint }} on {{ labels.instance }} ({{ labels.env }}, {{ labels.team }})"
  - alert: Disk
    metric: host_filesystem_used_ratio
    op: ">"
    threshold: 90%
    summary: "{{ labels.mountpoint }} is full"
    description: "{{ labels.cpu }} {{ labels.cpu }}"
  - alert: Custom
    metric: custom_queue_seconds
    op: ">"
    threshold: 1
    summary: "{{ labels.anything }}"
`;
  const r = parseConfigText(text, 'a.yaml', { env: {} });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.warnings, [
    'a.yaml:16:13: rules[2].metric: warning: no source produces the metric "custom_queue_seconds", so this rule can never fire',
    'a.yaml:8:14: rules[0].summary: warning: {{ labels.mountpoint }} always renders empty: host_memory_used_ratio never has a "mountpoint" label (host_memory_used_ratio has no labels; external labels: instance, env; rule labels: team)',
    'a.yaml:14:18: rules[1].description: warning: {{ labels.cpu }} always renders empty: host_filesystem_used_ratio never has a "cpu" label (host_filesystem_used_ratio has device, mountpoint, fstype; external labels: instance, env)',
  ]);
  // a metric no source declares is not checked; a catalog that declares it makes it known and checks its labels
  const more = parseConfigText(text, 'a.yaml', { env: {}, metricLabels: { ...KNOWN_METRIC_LABELS, custom_queue_seconds: ['service'] } });
  assert.ok(more.ok);
  assert.equal(more.warnings.length, 3, more.warnings.join('\n'));
  assert.ok(!more.warnings.some((w) => w.includes('no source produces')));
  assert.match(more.warnings[2]!, /"anything"/);
});

test('the shipped alerts.yaml loads without warnings', async () => {
  const r = await loadConfigFile(SHIPPED, { env: {} });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(templateLabelWarnings(r.config.rules, KNOWN_METRIC_LABELS, []), []);
});

test('every shipped rule renders its templates against a real sample of this host with no empty placeholder', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const r = await loadConfigFile(SHIPPED, { env: {} });
  assert.ok(r.ok);
  const config = r.config;
  const facts = await readStaticFacts({ paths: config.sampling.paths });
  const external = resolveExternalLabels(config.external_labels, facts.hostname);
  const readings: Reading[] = [];
  for (const c of createCollectors(collectorOptionsFromConfig(config.sampling))) readings.push(...(await c.collect(AbortSignal.timeout(10_000))).readings);
  readings.push(...(await probeSample()), ...heartbeatSample());
  assert.ok(config.rules.length >= 6);
  for (const rule of config.rules) {
    const ofMetric = readings.filter((x) => x.metric === rule.metric);
    assert.ok(ofMetric.length > 0, `${rule.alert}: no ${rule.metric} reading on this host`);
    const matches = compileMatchers(rule.match);
    // a host (a container) without the matched series, e.g. no "/" filesystem left by the filters: the first
    // series of the metric with the rule's equality matchers applied is what that host would report
    const equalities = Object.fromEntries(Object.entries(rule.match).filter(([, v]) => !/^(=~|!=|!~)/.test(v)));
    const reading = ofMetric.find((x) => matches(x.labels)) ?? { ...ofMetric[0]!, labels: { ...ofMetric[0]!.labels, ...equalities } };
    const labels = alertLabels(rule, reading.labels, external);
    for (const field of ['summary', 'description'] as const) {
      const text = rule[field];
      if (text === undefined) continue;
      for (const part of parseTemplate(text)) {
        assert.notEqual(part.type, 'invalid', `${rule.alert}.${field}: ${part.type === 'invalid' ? part.error : ''}`);
        if (part.type === 'placeholder' && part.placeholder.kind === 'label')
          assert.ok(labels[part.placeholder.name], `${rule.alert}.${field}: ${part.raw} renders empty (labels: ${JSON.stringify(labels)})`);
      }
      const rendered = renderTemplate(text, { value: reading.value, threshold: rule.threshold, labels, alert: rule.alert, severity: rule.severity, metric: rule.metric });
      assert.doesNotMatch(rendered, /\[\?\{\{|\s$|^\s|\s{2}|\(\)/, `${rule.alert}.${field} renders as "${rendered}"`);
    }
    if (rule.summary?.includes('labels.instance')) assert.ok(labels.instance === facts.hostname, 'instance is the host name');
  }
});
