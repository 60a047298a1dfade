import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeResult, ServiceDefinition } from '../../probes/types.ts';
import { liveServiceViews } from './service-adapter.ts';

const def = (id: string, over: Partial<ServiceDefinition> = {}): ServiceDefinition =>
  ({ id, name: id.toUpperCase(), url: `http://user:pw@127.0.0.1:1/${id}`, expectedVersion: '1.0.0', environment: 'demo', enabled: true, intervalMs: 1000, timeoutMs: 1000, method: 'GET', headers: {}, expectedStatus: undefined, followRedirects: false, degradedLatencyMs: undefined, failureThreshold: 3, successThreshold: 1, version: undefined, source: 'config', ...over }) as ServiceDefinition;
const result = (serviceId: string, timestamp: number, ok: boolean, version: string | null = '1.0.0'): ProbeResult => ({ serviceId, timestamp, ok, statusCode: ok ? 200 : 503, latencyMs: 10 + timestamp / 1000, phases: {}, version, reason: ok ? null : 'status', errorMessage: ok ? null : 'HTTP 503' });

test('service views from probe results: latest check, version and drift, last checks, uptime over kept checks, events with durations, status from the model', () => {
  let defs = [def('inv'), def('pricing', { expectedVersion: null })];
  let now = 10_000;
  const status = { get: (kind: string, target: string) => (kind === 'service' && target === 'inv' ? { status: 'DEGRADED' as const } : undefined) };
  const v = liveServiceViews({ definitions: () => defs, status: status as never, now: () => now, keep: 4 });
  assert.deepEqual(v.list().map((s) => [s.id, s.status, s.latencyMs, s.uptime.h24]), [['inv', 'DEGRADED', null, null], ['pricing', 'UNKNOWN', null, null]], 'before the first check');

  v.record(result('inv', 1000, true), []);
  v.record(result('inv', 2000, false), [{ kind: 'incident_open', serviceId: 'inv', at: 2000, failures: 1, reason: 'status', errorCode: 'HTTP 503', errorMessage: 'HTTP 503' }]);
  v.record(result('inv', 3000, true, '1.1.0'), [{ kind: 'incident_close', serviceId: 'inv', at: 3000, openedAt: 2000, failedChecks: 1, durationMs: 1000 }, { kind: 'version_change', serviceId: 'inv', at: 3000, from: '1.0.0', to: '1.1.0' }]);
  v.record(result('inv', 4000, true, '1.1.0'), []);
  v.record(result('inv', 5000, true, null), []);
  const inv = v.list()[0]!;
  assert.equal(inv.latencyMs, 15);
  assert.equal(inv.version, '1.1.0', 'a check without a version keeps the last one found');
  assert.equal(inv.drift, true);
  assert.equal(inv.last50.length, 4, 'bounded by keep');
  assert.equal(inv.uptime.h24, 3 / 4);
  const d = v.get('inv')!;
  assert.equal(d.url, 'http://[REDACTED]@127.0.0.1:1/inv', 'credentials in the URL are redacted');
  assert.deepEqual(d.events.map((e) => [e.kind, e.at, e.durationMs]), [['version', 3000, null], ['up', 3000, null], ['down', 2000, 1000]], 'newest first; the down lasted until the up');
  assert.match(d.events[2]!.detail, /status \(HTTP 503\): HTTP 503/);

  v.record(result('pricing', 1000, true, '9.9.9'), []);
  assert.equal(v.list()[1]!.drift, false, 'no expected version: never drift');
  defs = [def('pricing', { expectedVersion: null })];
  now += 1;
  assert.deepEqual(v.list().map((s) => s.id), ['pricing']);
  assert.equal(v.get('inv'), undefined, 'a service no longer configured is gone');
});
