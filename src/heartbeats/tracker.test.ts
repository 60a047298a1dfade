import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeatDefaultsSchema, heartbeatsSchema } from '../config/heartbeats.ts';
import { ManualClock } from '../lib/clock.ts';
import { silentLogger } from '../lib/logger.ts';
import { openDatabase } from '../store/db.ts';
import { createHeartbeatRepo } from './repo.ts';
import { heartbeatSettings } from './settings.ts';
import { HeartbeatTracker, type HeartbeatSettings } from './tracker.ts';

const S = 1000;
const M = 60 * S;

function settings(jobs: unknown[], defaults: unknown = {}): HeartbeatSettings {
  return heartbeatSettings({ heartbeats: heartbeatsSchema.parse(jobs), defaults: { heartbeats: heartbeatDefaultsSchema.parse(defaults) } });
}

function tracker(jobs: unknown[], defaults: unknown = {}, clock = new ManualClock()) {
  return { clock, t: new HeartbeatTracker(settings(jobs, defaults), { clock, logger: silentLogger() }) };
}

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-hb-'));
  return { path: join(dir, 'state.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('on time: a ping every interval never misses; the next deadline follows the last ping', () => {
  const { clock, t } = tracker([{ service: 'backup', interval: '1h' }]);
  for (let i = 0; i < 5; i++) {
    clock.advance(60 * M);
    t.ping('backup', { kind: 'success' });
    const a = t.assess('backup')!;
    assert.equal(a.missed, 0);
    assert.equal(a.status, 'healthy');
    assert.equal(a.nextDeadlineAt, clock.now() + 60 * M);
  }
});

test('late within tolerance is on time; the grace boundary itself is on time (strict)', () => {
  const { clock, t } = tracker([{ service: 'etl', interval: '10m', tolerance: '2m' }]);
  t.ping('etl', { kind: 'success' });
  clock.advance(12 * M); // exactly interval + tolerance
  assert.equal(t.assess('etl')!.missed, 0);
  clock.advance(1);
  assert.equal(t.assess('etl')!.missed, 1);
  assert.equal(t.assess('etl')!.late, true);
  t.ping('etl', { kind: 'success' });
  assert.equal(t.assess('etl')!.missed, 0);
  assert.equal(t.assess('etl')!.late, false);
});

test('missing 2 intervals is late (degraded), the 3rd reaches allowed_misses (down); a success recovers', () => {
  const { clock, t } = tracker([{ service: 'nightly-backup', interval: '1d' }]);
  t.ping('nightly-backup', { kind: 'success' });
  clock.advance(86_400 * S + 1);
  assert.deepEqual([t.assess('nightly-backup')!.missed, t.assess('nightly-backup')!.late, t.assess('nightly-backup')!.down], [1, true, false]);
  clock.advance(86_400 * S);
  const two = t.assess('nightly-backup')!;
  assert.deepEqual([two.missed, two.late, two.down, two.status], [2, true, false, 'degraded']);
  clock.advance(86_400 * S - 1); // exactly 3 intervals after the ping
  assert.equal(t.assess('nightly-backup')!.missed, 2, 'the third deadline is not missed until it passes');
  clock.advance(1);
  const three = t.assess('nightly-backup')!;
  assert.deepEqual([three.missed, three.late, three.down, three.status], [3, false, true, 'down']);
  t.ping('nightly-backup', { kind: 'success' });
  assert.equal(t.assess('nightly-backup')!.status, 'healthy');
});

test('a job that never pinged counts its deadlines from when it was first tracked', () => {
  const { clock, t } = tracker([{ service: 'never', interval: '1m', allowed_misses: 2 }]);
  clock.advance(2 * M + 1);
  assert.equal(t.assess('never')!.down, true);
});

test('failing by exit code: fail_threshold consecutive failures, the last message kept, a success resets', () => {
  const { t } = tracker([{ service: 'job', interval: '1h', fail_threshold: 2 }]);
  t.ping('job', { kind: 'fail', exitCode: 3, message: 'disk full' });
  let a = t.assess('job')!;
  assert.equal(a.failing, false);
  assert.equal(a.status, 'degraded');
  t.ping('job', { kind: 'fail', exitCode: 1, message: 'still full' });
  a = t.assess('job')!;
  assert.equal(a.failing, true);
  assert.equal(a.status, 'down');
  assert.equal(t.state('job')!.consecutiveFailures, 2);
  assert.equal(t.state('job')!.lastExitCode, 1);
  assert.equal(t.state('job')!.lastMessage, 'still full');
  assert.equal(t.state('job')!.pings.fail, 2);
  t.ping('job', { kind: 'success', exitCode: 0 });
  assert.equal(t.assess('job')!.status, 'healthy');
  assert.equal(t.state('job')!.consecutiveFailures, 0);
  assert.equal(t.state('job')!.lastMessage, null, 'a success without a body clears the message');
});

test('start + run timeout: a run past run_timeout is overdue; success with the same rid records the duration', () => {
  const { clock, t } = tracker([{ service: 'report', interval: '1d', run_timeout: '30m' }]);
  t.ping('report', { kind: 'start', rid: 'r1' });
  clock.advance(30 * M);
  assert.equal(t.assess('report')!.overdueRuns, 0, 'exactly run_timeout is not overdue');
  clock.advance(1);
  assert.equal(t.assess('report')!.overdueRuns, 1);
  assert.equal(t.assess('report')!.status, 'down');
  t.ping('report', { kind: 'success', rid: 'other' });
  assert.equal(t.assess('report')!.overdueRuns, 1, 'a success for another rid leaves the run open');
  assert.deepEqual(t.state('report')!.runDurationsMs, []);
  t.ping('report', { kind: 'start', rid: 'r2' });
  clock.advance(5 * M);
  t.ping('report', { kind: 'success', rid: 'r2' });
  assert.deepEqual(t.state('report')!.runDurationsMs, [5 * M]);
  t.ping('report', { kind: 'success' });
  assert.equal(t.assess('report')!.overdueRuns, 0, 'a success without rid ends every open run');
  assert.equal(t.assess('report')!.status, 'healthy');
});

test('start pings do not move the deadline', () => {
  const { clock, t } = tracker([{ service: 'j', interval: '1m', allowed_misses: 1 }]);
  t.ping('j', { kind: 'success' });
  clock.advance(50 * S);
  t.ping('j', { kind: 'start' });
  clock.advance(10 * S + 1);
  assert.equal(t.assess('j')!.down, true);
});

test('restart in the middle of a silence: a new tracker on the same SQLite file alerts at the same moment', () => {
  const db1 = tempDb();
  try {
    const clock = new ManualClock();
    const jobs = [{ service: 'nightly-backup', interval: '1h', allowed_misses: 3, tolerance: '5m' }];
    let db = openDatabase(db1.path);
    let t = new HeartbeatTracker(settings(jobs), { clock, logger: silentLogger(), repo: createHeartbeatRepo(db) });
    t.start();
    t.ping('nightly-backup', { kind: 'fail', message: 'oops' });
    t.ping('nightly-backup', { kind: 'success', message: 'done' });
    const lastPing = clock.now();
    clock.advance(90 * M); // silent; the flush timer has written the state
    t.stop();
    db.close();

    // the sidecar is down for a while, then starts again: the deadline still counts from the stored last ping
    clock.advance(60 * M);
    db = openDatabase(db1.path);
    t = new HeartbeatTracker(settings(jobs), { clock, logger: silentLogger(), repo: createHeartbeatRepo(db) });
    const s = t.state('nightly-backup')!;
    assert.equal(s.lastReportAt, lastPing);
    assert.equal(s.lastMessage, 'done');
    assert.deepEqual(s.pings, { success: 1, start: 0, fail: 1 });
    assert.equal(t.assess('nightly-backup')!.missed, 2);
    // third deadline: last + 3h + 5m
    const alertAt = lastPing + 3 * 60 * M + 5 * M;
    clock.advance(alertAt - clock.now());
    assert.equal(t.assess('nightly-backup')!.down, false, 'on the boundary: not yet');
    clock.advance(1);
    assert.equal(t.assess('nightly-backup')!.down, true, 'one ms later: down, as if never restarted');
    t.stop();
    db.close();
  } finally {
    db1.cleanup();
  }
});

test('pings are written in one batch per flush, not per ping; stop() flushes what is pending', () => {
  const db1 = tempDb();
  try {
    const clock = new ManualClock();
    const db = openDatabase(db1.path);
    const repo = createHeartbeatRepo(db);
    let batches = 0;
    const counting = { loadAll: () => repo.loadAll(), saveMany: (...a: Parameters<typeof repo.saveMany>) => (batches++, repo.saveMany(...a)) };
    const jobs = Array.from({ length: 10 }, (_, i) => ({ service: `job-${i}`, interval: '1m' }));
    const t = new HeartbeatTracker(settings(jobs), { clock, logger: silentLogger(), repo: counting });
    t.start();
    for (let i = 0; i < 1000; i++) t.ping(`job-${i % 10}`, { kind: 'success' });
    assert.equal(batches, 0);
    clock.advance(1000);
    assert.equal(batches, 1);
    assert.equal(repo.loadAll().reduce((n, s) => n + s.pings.success, 0), 1000);
    clock.advance(5000);
    assert.equal(batches, 1, 'nothing dirty, nothing written');
    t.ping('job-3', { kind: 'start' });
    t.stop();
    assert.equal(batches, 2);
    assert.equal(repo.loadAll().find((s) => s.service === 'job-3')!.pings.start, 1);
    db.close();
  } finally {
    db1.cleanup();
  }
});

test('hot reload keeps the state of kept jobs, drops removed ones, tracks added ones', () => {
  const db1 = tempDb();
  try {
    const clock = new ManualClock();
    const db = openDatabase(db1.path);
    const repo = createHeartbeatRepo(db);
    const t = new HeartbeatTracker(settings([{ service: 'a', interval: '1m' }, { service: 'b', interval: '1m' }]), { clock, logger: silentLogger(), repo });
    t.ping('a', { kind: 'fail', message: 'x' });
    t.ping('b', { kind: 'success' });
    t.flush();
    t.applyConfig(settings([{ service: 'a', interval: '1m' }, { service: 'c', interval: '5m' }]));
    assert.equal(t.state('a')!.consecutiveFailures, 1);
    assert.equal(t.state('b'), undefined);
    assert.equal(t.state('c')!.lastPingAt, null);
    t.flush();
    assert.deepEqual(repo.loadAll().map((s) => s.service), ['a', 'c']);
    // a changed interval applies to the stored last ping at once
    clock.advance(2 * M + 1);
    assert.equal(t.assess('a')!.missed, 2);
    t.applyConfig(settings([{ service: 'a', interval: '10m' }, { service: 'c', interval: '5m' }]));
    assert.equal(t.assess('a')!.missed, 0);
    assert.equal(t.state('a')!.consecutiveFailures, 1);
    db.close();
  } finally {
    db1.cleanup();
  }
});

test('auto-register: capped, restored after a restart, dropped when turned off, silent ones forgotten', () => {
  const db1 = tempDb();
  try {
    const clock = new ManualClock();
    const defaults = { interval: '30s', auto_register: { enabled: true, max: 2, forget_after: '1h' } };
    let db = openDatabase(db1.path);
    let t = new HeartbeatTracker(settings([], defaults), { clock, logger: silentLogger(), repo: createHeartbeatRepo(db) });
    assert.equal(t.autoRegister('w1').ok, true);
    assert.equal(t.autoRegister('w2').ok, true);
    assert.deepEqual(t.autoRegister('w3'), { ok: false, reason: 'cap' });
    assert.equal(t.autoRegister('w1').ok, true, 'an already registered one is fine');
    assert.equal(t.job('w1')!.intervalMs, 30_000);
    t.ping('w1', { kind: 'success' });
    t.stop();
    db.close();

    db = openDatabase(db1.path);
    t = new HeartbeatTracker(settings([], defaults), { clock, logger: silentLogger(), repo: createHeartbeatRepo(db) });
    assert.equal(t.autoRegisteredCount, 2);
    assert.equal(t.state('w1')!.pings.success, 1);
    assert.deepEqual(t.autoRegister('w3'), { ok: false, reason: 'cap' }, 'the cap counts restored ones');

    clock.advance(60 * M + 1);
    t.ping('w1', { kind: 'success' });
    assert.deepEqual(t.forgetSilent(), ['w2']);
    assert.equal(t.autoRegister('w3').ok, true, 'a forgotten one frees its slot');

    t.applyConfig(settings([], { ...defaults, auto_register: { enabled: false } }));
    assert.equal(t.size, 0);
    assert.deepEqual(t.autoRegister('w4'), { ok: false, reason: 'disabled' });
    t.stop();
    assert.deepEqual(createHeartbeatRepo(db).loadAll(), []);
    db.close();
  } finally {
    db1.cleanup();
  }
});
