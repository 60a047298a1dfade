import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbeStates } from '../probes/incident.ts';
import type { ProbeResult, ServiceDefinition } from '../probes/types.ts';
import type { StoredCheck, StoredEvent } from '../store/probe-history-repo.ts';
import { probeSeedFromHistory } from './probe-resume.ts';

const check = (t: number, ok: boolean, version: string | null = null): StoredCheck => ({
  serviceId: 'pay',
  timestamp: t,
  ok,
  statusCode: ok ? 200 : 500,
  latencyMs: 5,
  version,
  reason: ok ? null : 'status',
  errorMessage: ok ? null : 'HTTP 500 (expected 2xx)',
});
const event = (id: number, t: number, kind: StoredEvent['kind'], detail = '', from: string | null = null, to: string | null = null): StoredEvent => ({ id, serviceId: 'pay', timestamp: t, kind, from, to, detail });

const def = { id: 'pay', name: 'Pay', expectedVersion: '2.0.0', failureThreshold: 3, successThreshold: 1 } as ServiceDefinition;
const result = (t: number, ok: boolean, version: string | null = '2.1.0'): ProbeResult =>
  ({ serviceId: 'pay', timestamp: t, ok, statusCode: ok ? 200 : 500, latencyMs: 5, phases: {}, version, reason: ok ? null : 'status', errorMessage: ok ? null : 'HTTP 500', errorCode: ok ? null : 'HTTP 500' }) as ProbeResult;

test('no history: nothing to resume', () => {
  assert.deepEqual(probeSeedFromHistory(def, [], []), {});
});

test('an incident open at shutdown resumes with its labels, its streak goes on, and the next failure opens nothing new', () => {
  const checks = [check(1, true, '2.1.0'), check(2, false, '2.1.0'), check(3, false, '2.1.0'), check(4, false, '2.1.0'), check(5, false, '2.1.0')];
  const events = [event(2, 4, 'down', 'status: HTTP 500'), event(1, 1, 'drift_start', 'expected 2.0.0, found 2.1.0', '2.0.0', '2.1.0')];
  const seed = probeSeedFromHistory(def, checks, events);
  assert.equal(seed.consecutiveFailures, 4);
  assert.equal(seed.consecutiveSuccesses, 0);
  assert.equal(seed.lastVersion, '2.1.0');
  assert.deepEqual(seed.drift, { expected: '2.0.0', found: '2.1.0' });
  assert.deepEqual(seed.incident, { openedAt: 4, streak: 4, failedChecks: 4, reason: 'status', errorCode: 'HTTP 500', errorMessage: 'HTTP 500 (expected 2xx)' });
  assert.equal(seed.streakOpen, true);

  const states = new ProbeStates();
  states.seed('pay', seed);
  assert.deepEqual(states.get('pay').apply(def, result(6, false)), [], 'no incident_open and no drift_start again');
  assert.equal(states.get('pay').incident?.streak, 5);
  assert.deepEqual(
    states.get('pay').apply(def, result(7, true)).map((t) => t.kind),
    ['incident_close'],
  );
});

test('a closed incident, a reason without a code, a changed expectation', () => {
  const checks = [check(1, false), check(2, false), check(3, true, '2.2.0')];
  const seed = probeSeedFromHistory({ expectedVersion: '3.0.0' }, checks, [event(3, 3, 'up', '2 failed checks'), event(2, 2, 'down', 'timeout'), event(1, 1, 'drift_start', '', '2.0.0', '2.2.0')]);
  assert.equal(seed.incident, undefined);
  assert.equal(seed.consecutiveSuccesses, 1);
  assert.equal(seed.drift, undefined, 'a drift raised against another expected version is raised afresh');
  const open = probeSeedFromHistory(def, [check(1, false), check(2, false)], [event(1, 2, 'down', 'timeout')]);
  assert.equal(open.incident?.reason, 'timeout');
  assert.equal(open.incident?.errorCode, '');
});

test('with success_threshold > 1, successes since the opening are resumed and the streak is closed', () => {
  const checks = [check(1, false), check(2, false), check(3, false), check(4, true), check(5, false), check(6, true)];
  const seed = probeSeedFromHistory(def, checks, [event(1, 3, 'down', 'status: HTTP 500')]);
  assert.equal(seed.streakOpen, false);
  assert.equal(seed.incident?.streak, 3);
  assert.equal(seed.incident?.failedChecks, 4);
  assert.equal(seed.consecutiveSuccesses, 1);
  assert.equal(seed.lastVersion, undefined, 'no version ever found');
});
