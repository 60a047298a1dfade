import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newJobState } from './state.ts';
import { openDatabase } from '../store/db.ts';
import { createHeartbeatRepo } from './repo.ts';

test('heartbeat repo: upsert, read back every field, delete, in one transaction per batch', () => {
  const db = openDatabase(':memory:');
  const repo = createHeartbeatRepo(db);
  const a = newJobState('a', 1000, false);
  Object.assign(a, {
    lastPingAt: 5000,
    lastReportAt: 4000,
    lastSuccessAt: 4000,
    lastFailureAt: 3000,
    consecutiveFailures: 0,
    lastExitCode: 0,
    lastMessage: 'ok ✓',
    openRuns: [{ rid: 'r1', startedAt: 4500 }],
    runDurationsMs: [100, 250],
    pings: { success: 7, start: 2, fail: 1 },
    pushed: { at: 4000, cpu: 0.5, errorRate: 0.01 },
  });
  const b = newJobState('b', 2000, true);
  repo.saveMany([a, b], [], 6000);
  assert.deepEqual(repo.loadAll(), [a, b]);
  a.pings.success++;
  repo.saveMany([a], ['b'], 7000);
  assert.deepEqual(repo.loadAll(), [a]);
});

test('heartbeat repo: a damaged JSON column reads as empty instead of failing the start', () => {
  const db = openDatabase(':memory:');
  const repo = createHeartbeatRepo(db);
  repo.saveMany([newJobState('a', 1, false)], [], 1);
  db.sql.exec(`UPDATE heartbeat_jobs SET open_runs = '{not json', run_durations = '[1, "x", 3]', pushed = 'nope'`);
  const [s] = repo.loadAll();
  assert.deepEqual(s!.openRuns, []);
  assert.deepEqual(s!.runDurationsMs, [1, 3]);
  assert.equal(s!.pushed, null);
});
