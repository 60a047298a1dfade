import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testService } from '../../test/support/probe-target.ts';
import { ProbeState, ProbeStates, logTransitions, type Transition } from './incident.ts';
import type { ProbeResult } from './types.ts';
import { createLogger } from '../lib/logger.ts';

const def = testService('http://127.0.0.1:1/', { expectedVersion: '2.1.0' });
let t = 0;
const ok = (version: string | null = '2.1.0'): ProbeResult => ({
  serviceId: 'payments', timestamp: (t += 1000), ok: true, statusCode: 200, latencyMs: 5, phases: {}, version, reason: null, errorMessage: null,
});
const fail = (version: string | null = null): ProbeResult => ({
  serviceId: 'payments', timestamp: (t += 1000), ok: false, statusCode: null, latencyMs: 5, phases: {}, version,
  reason: 'connect', errorMessage: 'connect ECONNREFUSED 127.0.0.1:1', errorCode: 'ECONNREFUSED',
});
const kinds = (ts: Transition[]) => ts.map((x) => x.kind);

test('fail×3, ok, fail×3: incidents open at checks 3 and 7, one recovery between; never one per failed check', () => {
  const s = new ProbeState();
  const seq = [fail(), fail(), fail(), ok(), fail(), fail(), fail(), fail()];
  const out = seq.map((r) => kinds(s.apply(def, r)));
  assert.deepEqual(out, [[], [], ['incident_open'], ['incident_close'], [], [], ['incident_open'], []]);
  assert.equal(s.incident?.streak, 4, 'the streak that opened it keeps counting');
  assert.equal(s.incident?.failedChecks, 4);
  assert.equal(s.consecutiveFailures, 4);
});

test('success_threshold 2: one success does not close; failures in between do not open another', () => {
  const d = { ...def, successThreshold: 2 };
  const s = new ProbeState();
  const out = [fail(), fail(), fail(), ok(), fail(), fail(), fail(), ok(), ok()].map((r) => kinds(s.apply(d, r)));
  assert.deepEqual(out, [[], [], ['incident_open'], [], [], [], [], [], ['incident_close']]);
  const close = s.apply(d, fail()); // a fresh streak starts from zero
  assert.deepEqual(kinds(close), []);
});

test('drift: raised once, held through an outage without a version, resolved; a missing version is never drift', () => {
  const s = new ProbeState();
  assert.deepEqual(kinds(s.apply(def, ok(null))), [], 'no version: unknown, no drift');
  assert.deepEqual(kinds(s.apply(def, ok('2.1.0'))), []);
  const d = s.apply(def, ok('2.2.0'));
  assert.deepEqual(kinds(d), ['version_change', 'drift_start']);
  assert.deepEqual(d[1], { kind: 'drift_start', serviceId: 'payments', at: t, expected: '2.1.0', found: '2.2.0' });
  assert.deepEqual(kinds(s.apply(def, ok('2.2.0'))), []);
  assert.deepEqual(kinds(s.apply(def, fail())), [], 'a failed check without a version keeps the drift');
  assert.deepEqual(kinds(s.apply(def, ok('2.1.0'))), ['version_change', 'drift_end']);
  assert.equal(s.drift, undefined);
});

test('version changes are recorded without an expected version; the first version is not a change', () => {
  const d = { ...def, expectedVersion: null };
  const s = new ProbeState();
  assert.deepEqual(s.apply(d, ok('1.0.0')), []);
  const c = s.apply(d, fail('1.0.1')); // read from an error response
  assert.deepEqual(c, [{ kind: 'version_change', serviceId: 'payments', at: t, from: '1.0.0', to: '1.0.1' }]);
});

test('ProbeStates keeps state by id and forgets removed services', () => {
  const states = new ProbeStates();
  states.get('a').apply(def, fail());
  states.get('b');
  states.retain(['a', 'c']);
  assert.equal(states.peek('a')?.consecutiveFailures, 1);
  assert.equal(states.has('b'), false);
  states.seed('c', { lastVersion: '3.0.0' });
  assert.equal(states.get('c').lastVersion, '3.0.0');
});

test('log lines: one per transition, in the earlier monitors words', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } });
  const s = new ProbeState();
  for (const r of [fail(), fail(), fail(), fail(), ok('2.2.0')]) logTransitions(logger, def, s.apply(def, r));
  assert.deepEqual(
    lines.map((l) => l.msg),
    [
      'CRITICAL INCIDENT: payments failed 3 consecutive checks (connect: ECONNREFUSED)',
      'RECOVERED: payments after 4 failed checks (down 2s)',
      'VERSION DRIFT: payments expected 2.1.0, found 2.2.0',
    ],
  );
  assert.equal(lines[0]!.level, 50);
  assert.equal(lines[0]!.service, 'payments');
});
