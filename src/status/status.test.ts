import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusModel, type FiringAlert, type Target } from './status.ts';

const metricOf: Record<string, string> = { HostHighCpu: 'host_cpu_usage_ratio', ServiceDown: 'probe_incident', VersionDrift: 'probe_version_drift', MyLatency: 'probe_duration_seconds', HeartbeatMissed: 'heartbeat_down', HighCpuPushed: 'service_cpu_usage_ratio', Info: 'probe_success' };
const model = () =>
  new StatusModel({
    metricOfAlert: (a) => metricOf[a],
    kindOfMetric: (m) => (m.startsWith('host_') ? 'host' : m.startsWith('probe_') ? 'service' : m.startsWith('heartbeat_') || m.startsWith('service_') ? 'heartbeat' : undefined),
  });
const targets: Target[] = [
  { kind: 'host', target: 'web-1' },
  { kind: 'service', target: 'payments' },
  { kind: 'service', target: 'auth' },
  { kind: 'heartbeat', target: 'payments' },
];
const alert = (alert: string, severity: FiringAlert['severity'], labels: Record<string, string> = {}): FiringAlert => ({ alert, severity, labels, summary: alert, since: 1 });

test('critical → DOWN, warning → DEGRADED, none → HEALTHY, per kind and target', () => {
  const m = model();
  m.update(targets, [alert('ServiceDown', 'critical', { service: 'payments' }), alert('VersionDrift', 'warning', { service: 'auth' }), alert('HostHighCpu', 'critical', { cpu: 'all' })], 10);
  assert.equal(m.get('service', 'payments')?.status, 'DOWN');
  assert.equal(m.get('service', 'auth')?.status, 'DEGRADED');
  assert.equal(m.get('host', 'web-1')?.status, 'DOWN');
  assert.equal(m.get('heartbeat', 'payments')?.status, 'HEALTHY', 'a service alert does not move the heartbeat job of the same name');
  assert.deepEqual(m.counts().service, { HEALTHY: 0, DEGRADED: 1, DOWN: 1 });
  assert.equal(m.worst('service'), 'DOWN');
});

test("a user's own rule moves a status; info alerts do not", () => {
  const m = model();
  m.update(targets, [alert('MyLatency', 'warning', { service: 'auth' }), alert('Info', 'info', { service: 'payments' })], 10);
  assert.equal(m.get('service', 'auth')?.status, 'DEGRADED');
  assert.equal(m.get('service', 'payments')?.status, 'HEALTHY');
});

test('changes are reported once, with since kept while the status holds', () => {
  const m = model();
  const seen: string[] = [];
  m.subscribe((cs) => cs.forEach((c) => seen.push(`${c.kind}/${c.target}:${c.from ?? '-'}→${c.to}`)));
  m.update(targets, [], 10);
  assert.equal(seen.length, 4);
  seen.length = 0;
  m.update(targets, [alert('HeartbeatMissed', 'critical', { service: 'payments' })], 20);
  m.update(targets, [alert('HeartbeatMissed', 'critical', { service: 'payments' })], 30);
  assert.deepEqual(seen, ['heartbeat/payments:HEALTHY→DOWN']);
  assert.equal(m.get('heartbeat', 'payments')?.since, 20);
  m.update(targets, [], 40);
  assert.deepEqual(seen, ['heartbeat/payments:HEALTHY→DOWN', 'heartbeat/payments:DOWN→HEALTHY']);
});

test('a target that goes away disappears; alerts on unknown targets are ignored', () => {
  const m = model();
  m.update(targets, [alert('ServiceDown', 'critical', { service: 'ghost' })], 10);
  assert.equal(m.get('service', 'ghost'), undefined);
  m.update(targets.filter((t) => t.target !== 'auth'), [], 20);
  assert.equal(m.get('service', 'auth'), undefined);
  assert.equal(m.list('service').length, 1);
});
