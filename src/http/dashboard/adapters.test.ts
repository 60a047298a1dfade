import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../lib/clock.ts';
import { openDatabase } from '../../store/db.ts';
import { createProbeHistoryRepo } from '../../store/probe-history-repo.ts';
import type { StatusModel } from '../../status/status.ts';
import { configService, probeResult } from '../../../test/support/services.ts';
import { latencyMarks, serviceViews } from './adapters.ts';
import type { CheckMark, TargetStatus } from './views.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function setup() {
  const clock = new ManualClock(T0);
  const db = openDatabase(':memory:');
  const history = createProbeHistoryRepo(db, { clock });
  let current: TargetStatus = 'HEALTHY';
  const status = { get: () => ({ status: current }) } as unknown as Pick<StatusModel, 'get'>;
  const def = configService('payments');
  const views = serviceViews(
    { registry: { list: () => [def], get: (id) => (id === def.id ? def : undefined) }, history, latest: () => undefined, lastChecks: (): CheckMark[] => [] },
    status,
    () => clock.now(),
  );
  return { clock, db, history, views, setStatus: (s: TargetStatus) => (current = s) };
}

test('the latency chart of a young service has one point per check, not one per hour', () => {
  const { clock, db, history } = setup();
  for (let i = 0; i < 10; i++) history.record(probeResult('payments', T0 + i * 1000, i !== 4, 20 + i));
  history.flush();
  clock.advance(10_000);
  const marks = latencyMarks(history, 'payments', clock.now());
  assert.equal(marks.length, 10);
  assert.deepEqual(
    marks.map((m) => m.ok),
    [true, true, true, true, false, true, true, true, true, true],
  );
  assert.equal(marks[0]!.timestamp, T0);
  db.close();
});

test('older checks of the day come as hourly points, before the checks of the last 6 h, oldest first, no hour twice', () => {
  const { clock, db, history } = setup();
  for (let h = 0; h < 20; h++) history.record(probeResult('payments', T0 + h * HOUR + 60_000, true, 30));
  history.flush();
  clock.advance(20 * HOUR);
  const marks = latencyMarks(history, 'payments', clock.now());
  const rawFrom = clock.now() - 6 * HOUR;
  const ts = marks.map((m) => m.timestamp);
  assert.deepEqual([...ts].sort((a, b) => a - b), ts, 'oldest first');
  assert.equal(new Set(ts).size, ts.length);
  // hours 0..13 end before rawFrom (T0+14h) → hourly; hours 14..19 are raw checks at :01
  assert.equal(marks.filter((m) => m.timestamp < rawFrom).length, 14);
  assert.equal(marks.filter((m) => m.timestamp >= rawFrom).length, 6);
  assert.ok(marks.filter((m) => m.timestamp >= rawFrom).every((m) => m.timestamp % HOUR === 60_000), 'raw checks, not hour starts');
  db.close();
});

test('uptime shows as soon as the first checks are stored, and follows a status change without waiting for the cache', () => {
  const { clock, db, history, views, setStatus } = setup();
  assert.equal(views.list()[0]!.uptime.h24, null, 'no check yet');
  history.record(probeResult('payments', T0, true));
  history.flush();
  clock.advance(1000);
  assert.equal(views.list()[0]!.uptime.h24, 1, 'not held back by a cached "no data"');
  history.record(probeResult('payments', T0 + 1000, false));
  history.flush();
  clock.advance(1000);
  assert.equal(views.list()[0]!.uptime.h24, 1, 'cached while the status holds');
  setStatus('DOWN');
  assert.equal(views.list()[0]!.uptime.h24, 0.5, 'read again once the status changed');
  db.close();
});
