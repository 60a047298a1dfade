import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webhookPayload } from './webhook.ts';
import { firing, resolved } from '../../../test/support/events.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

test('webhookPayload: one alert name → grouped by alertname, common labels and annotations', () => {
  const a = firing({ alert: 'DiskAlmostFull', severity: 'warning', labels: { mountpoint: '/', job: 'node' }, annotations: { runbook: 'r' }, summary: 's1' }, NOW);
  const b = firing({ alert: 'DiskAlmostFull', severity: 'warning', labels: { mountpoint: '/data', job: 'node' }, annotations: { runbook: 'r' }, summary: 's2', metric: 'host_filesystem_used_ratio', value: 0.912345 }, NOW);
  const p = webhookPayload('ops', [a, resolved(b, NOW)], undefined);
  assert.equal(p.version, '4');
  assert.equal(p.status, 'firing');
  assert.equal(p.receiver, 'ops');
  assert.equal(p.groupKey, '{}:{alertname="DiskAlmostFull"}');
  assert.deepEqual(p.groupLabels, { alertname: 'DiskAlmostFull' });
  assert.deepEqual(p.commonLabels, { alertname: 'DiskAlmostFull', severity: 'warning', job: 'node' });
  assert.deepEqual(p.commonAnnotations, { runbook: 'r', threshold: '0.9' }, 'raw numbers in a machine payload; the values differ');
  assert.equal(p.externalURL, '');
  assert.equal(p.alerts[0]!.endsAt, '0001-01-01T00:00:00Z');
  assert.equal(p.alerts[0]!.generatorURL, '');
  assert.equal(p.alerts[1]!.status, 'resolved');
  assert.equal(p.alerts[1]!.annotations.value, '0.912345', 'the raw value, not "91.2%"');
  assert.equal(p.alerts[1]!.endsAt, '2026-01-01T12:00:00.000Z');
  assert.equal(webhookPayload('ops', [resolved(a, NOW)], undefined).status, 'resolved');
});
