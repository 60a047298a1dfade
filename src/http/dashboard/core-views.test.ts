import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWebhookSink } from '../../../test/support/webhook-sink.ts';
import { createAlerting } from '../../alerting.ts';
import { configSchema } from '../../config/schema.ts';
import { ManualClock } from '../../lib/clock.ts';
import { silentLogger } from '../../lib/logger.ts';
import { MetricsRegistry } from '../../metrics/registry.ts';
import type { Reading } from '../../snapshot/snapshot.ts';
import { SnapshotStore } from '../../snapshot/store.ts';
import { openDatabase } from '../../store/db.ts';
import { createCoreViews } from './core-views.ts';
import type { ViewChange } from './views.ts';

const snapshot = (takenAt: number, readings: Reading[]) => ({ takenAt, durationMs: 1, sections: { cpu: { kind: 'host' as const, settledAt: takenAt, ok: true as const, durationMs: 1, summary: {} }, disk: { kind: 'host' as const, settledAt: takenAt, ok: false as const, durationMs: 1, error: 'boom' } }, readings, unavailable: new Set<string>() });
const fs = (mountpoint: string, used: number): Reading[] => [
  { metric: 'host_filesystem_used_ratio', labels: { mountpoint, device: 'd', fstype: 'ext4' }, value: used },
  { metric: 'host_filesystem_size_bytes', labels: { mountpoint, device: 'd', fstype: 'ext4' }, value: 100 },
  { metric: 'host_filesystem_avail_bytes', labels: { mountpoint, device: 'd', fstype: 'ext4' }, value: 100 * (1 - used) },
];
const host = (cpu: number): Reading[] => [
  { metric: 'host_cpu_usage_ratio', labels: { cpu: 'all' }, value: cpu },
  { metric: 'host_cpu_usage_ratio', labels: { cpu: '0' }, value: 0.99 },
  { metric: 'host_memory_used_ratio', labels: {}, value: 0.5 },
  { metric: 'host_load1', labels: {}, value: 2 },
  { metric: 'host_swap_used_ratio', labels: {}, value: 0 },
  ...['/a', '/b', '/c', '/d', '/e', '/f'].flatMap((m, i) => fs(m, i / 10)),
];

test('host, alerts with durations and per-channel delivery, silences, status and change announcements from the real store and alerting', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const config = configSchema.parse({
    channels: { hook: { type: 'webhook', url: `${sink.url}/h` } },
    defaults: { channels: ['hook'] },
    rules: [
      { alert: 'HighCpu', metric: 'host_cpu_usage_ratio', match: { cpu: 'all' }, op: '>', threshold: 0.9, severity: 'critical', summary: 'cpu {{ $value }}' },
      { alert: 'SvcSlow', metric: 'host_load1', op: '>', threshold: 100, labels: { service: 'x' } },
    ],
  });
  const alerting = createAlerting(config, { db: openDatabase(':memory:'), clock, logger: silentLogger(), metrics: new MetricsRegistry({ version: 't', revision: 't', nodeVersion: 't' }) });
  alerting.start();
  t.after(() => alerting.stop());
  const store = new SnapshotStore(10);
  const views = createCoreViews({ store, alerting, clock, historyPoints: 3 });
  t.after(() => views.close());
  const changes: ViewChange[] = [];
  views.subscribe((c) => changes.push(c));

  assert.equal(views.host().status, 'UNKNOWN', 'nothing sampled yet');
  for (let i = 0; i < 4; i++) {
    store.publish(snapshot(clock.now(), host(0.2 + i / 100)));
    clock.advance(1000);
  }
  const h = views.host();
  assert.equal(h.status, 'HEALTHY');
  assert.equal(h.history.length, 3, 'bounded by historyPoints');
  assert.equal(h.latest?.cpu, 0.23, 'the all-CPU reading, not one core');
  assert.deepEqual(h.filesystems.map((f) => f.mountpoint), ['/f', '/e', '/d', '/c', '/b'], 'fullest five, fullest first');
  assert.deepEqual(h.failedCollectors, [{ name: 'disk', error: 'boom' }]);
  assert.deepEqual(changes, ['snapshot', 'snapshot', 'snapshot', 'snapshot']);

  const startedAt = clock.now();
  await alerting.evaluate(host(0.95));
  views.evaluated();
  assert.deepEqual(changes.slice(4), ['alerts']);
  await alerting.notifier.flush();
  views.evaluated();
  assert.deepEqual(changes.slice(4), ['alerts', 'alerts'], 'the queue drained: delivery states changed');
  views.evaluated();
  assert.deepEqual(changes.slice(4), ['alerts', 'alerts'], 'nothing new: not announced again at once');
  const a = views.alerts();
  assert.equal(a.active[0]?.alert, 'HighCpu');
  assert.equal(a.active[0]?.silencedBy, null);
  assert.equal(views.host().status, 'DOWN', 'a critical alert on the host');
  assert.deepEqual(views.statusCounts().host, { healthy: 0, degraded: 0, down: 1, unknown: 0 });
  assert.deepEqual(a.history[0]?.deliveries.map((d) => `${d.channel}:${d.kind}:${d.status}`), ['hook:firing:delivered']);

  const silence = alerting.notifier.silences.create({ matchers: [{ name: 'alertname', value: 'HighCpu', isRegex: false, isEqual: true }], endsAt: new Date(clock.now() + 3_600_000), comment: 'c' });
  views.evaluated();
  assert.deepEqual(changes.slice(4), ['alerts', 'alerts', 'alerts'], 'a silence changes what the list shows');
  assert.equal(views.alerts().active[0]?.silencedBy, silence.id);
  assert.deepEqual(views.silences().map((s) => [s.id, s.status]), [[silence.id, 'active']]);

  clock.advance(90_000);
  await alerting.evaluate(host(0.1));
  await alerting.notifier.flush();
  const ended = views.alerts().history[0]!;
  assert.equal(ended.state, 'resolved');
  assert.equal(ended.durationMs, clock.now() - startedAt);
  assert.equal(views.host().status, 'HEALTHY');

  await alerting.evaluate([{ metric: 'host_load1', labels: {}, value: 500 }]);
  assert.equal(views.alerts().active[0]?.alert, 'SvcSlow');
  assert.equal(views.host().status, 'HEALTHY', 'an alert naming a service does not move the host');
});
