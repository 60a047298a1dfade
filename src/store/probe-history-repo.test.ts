import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../lib/clock.ts';
import { probeResult } from '../../test/support/services.ts';
import { openDatabase, type Db } from './db.ts';
import { BUCKET_COUNT, estimateQuantile, bucketIndex, emptyBuckets, LATENCY_BUCKETS_MS } from './latency-histogram.ts';
import { createProbeHistoryRepo } from './probe-history-repo.ts';
import { startProbeHistoryMaintenance } from './probe-history-maintenance.ts';

const dir = mkdtempSync(join(tmpdir(), 'prodpulse-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshDb = () => openDatabase(join(dir, `h${++n}.db`));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

const result = probeResult;

/** A Db whose tx() is counted (and can be made to fail once). */
function countingDb(db: Db): { db: Db; txCount: () => number; failNext: () => void } {
  let count = 0;
  let fail = false;
  const wrapped: Db = {
    sql: db.sql,
    path: db.path,
    close: () => db.close(),
    tx: <T>(fn: () => T): T =>
      db.tx(() => {
        count++;
        const out = fn();
        if (fail) {
          fail = false;
          throw new Error('disk full (test)');
        }
        return out;
      }),
  };
  return { db: wrapped, txCount: () => count, failNext: () => (fail = true) };
}

const rawCount = (db: Db) => Number(db.sql.prepare('SELECT COUNT(*) AS n FROM probe_results').get()!.n);

test('record only buffers; flush writes every buffered result and event in one transaction', () => {
  const base = freshDb();
  const { db, txCount } = countingDb(base);
  const h = createProbeHistoryRepo(db, { clock: new ManualClock(T0) });
  for (let i = 0; i < 500; i++) h.record(result(`svc-${i % 50}`, T0 + i * 1000, i % 7 !== 0));
  h.recordEvent({ serviceId: 'svc-1', timestamp: T0, kind: 'down', from: null, to: null, detail: 'status: HTTP 500' });
  assert.equal(rawCount(base), 0, 'nothing written before flush');
  assert.deepEqual(h.stats(), { buffered: 500, bufferedEvents: 1, dropped: 0 });
  assert.deepEqual(h.flush(), { results: 500, events: 1 });
  assert.equal(txCount(), 1, 'one transaction for the whole batch');
  assert.equal(rawCount(base), 500);
  assert.equal(h.events('svc-1').length, 1);
  assert.deepEqual(h.flush(), { results: 0, events: 0 }, 'an empty flush writes nothing');
  assert.equal(txCount(), 1);
  base.close();
});

test('a failed flush loses nothing: the next flush writes the batch once', () => {
  const base = freshDb();
  const { db, failNext } = countingDb(base);
  const h = createProbeHistoryRepo(db, { clock: new ManualClock(T0) });
  for (let i = 0; i < 10; i++) h.record(result('a', T0 + i, true));
  failNext();
  assert.throws(() => h.flush(), /disk full/);
  assert.equal(rawCount(base), 0, 'rolled back');
  assert.equal(h.stats().buffered, 10);
  h.record(result('a', T0 + 100, false));
  assert.deepEqual(h.flush(), { results: 11, events: 0 });
  assert.equal(rawCount(base), 11);
  assert.equal(h.uptime('a', T0 + HOUR)['24h'].checks, 11, 'rollups written once, not twice');
  base.close();
});

test('the buffer is bounded: beyond maxBuffered the oldest are dropped and counted', () => {
  const db = freshDb();
  const h = createProbeHistoryRepo(db, { clock: new ManualClock(T0), maxBuffered: 5 });
  for (let i = 0; i < 8; i++) h.record(result('a', T0 + i, true));
  assert.deepEqual(h.stats(), { buffered: 5, bufferedEvents: 0, dropped: 3 });
  h.flush();
  assert.deepEqual(
    h.recentChecks('a', 10).map((c) => c.timestamp),
    [7, 6, 5, 4, 3].map((i) => T0 + i),
  );
  db.close();
});

test('rollups are updated incrementally per service-hour across flushes', () => {
  const db = freshDb();
  const h = createProbeHistoryRepo(db, { clock: new ManualClock(T0) });
  // hour 0: latencies 10, 20, 30 ok + one failure (its latency is not counted); hour 1: 400 ok
  h.record(result('a', T0 + 1000, true, 10));
  h.record(result('a', T0 + 2000, true, 20));
  h.record(result('b', T0 + 2000, true, 999));
  h.flush();
  h.record(result('a', T0 + 3000, false, 5000));
  h.record(result('a', T0 + 4000, true, 30));
  h.record(result('a', T0 + HOUR + 5, true, 400));
  h.flush();
  const rows = db.sql.prepare("SELECT * FROM probe_rollups WHERE service_id = 'a' ORDER BY hour").all();
  assert.equal(rows.length, 2);
  const [h0, h1] = rows as Record<string, unknown>[];
  assert.equal(h0!.hour, T0);
  assert.equal(h0!.checks, 4);
  assert.equal(h0!.failures, 1);
  assert.equal(h0!.latency_sum, 60);
  assert.equal(h0!.latency_min, 10);
  assert.equal(h0!.latency_max, 30);
  const buckets = JSON.parse(String(h0!.buckets)) as number[];
  assert.equal(buckets.length, BUCKET_COUNT);
  assert.equal(buckets[bucketIndex(10)], 1);
  assert.equal(buckets[bucketIndex(20)], 1);
  assert.equal(buckets[bucketIndex(30)], 1);
  assert.equal(buckets.reduce((a, b) => a + b, 0), 3, 'the failure is not in the latency histogram');
  const p95 = Number(h0!.latency_p95);
  assert.ok(p95 >= 25 && p95 <= 30, `p95 ${p95} within the (25, 30] bucket`);
  assert.equal(h1!.checks, 1);
  assert.equal(h1!.latency_p95, 400, 'a single sample: min = max = p95');
  const series = h.latencySeries('a', T0 - 7 * DAY, T0 + 2 * HOUR);
  assert.equal(series.resolution, 'hour');
  assert.deepEqual(
    series.points.map((p) => ('avgMs' in p ? [p.timestamp, p.checks, p.failures, p.avgMs] : [])),
    [
      [T0, 4, 1, 20],
      [T0 + HOUR, 1, 0, 400],
    ],
  );
  db.close();
});

test('latency histogram: estimates stay inside the bucket and the known min/max', () => {
  const b = emptyBuckets();
  for (let ms = 1; ms <= 100; ms++) b[bucketIndex(ms)]!++;
  const p95 = estimateQuantile(b, 0.95, 1, 100)!;
  assert.ok(p95 > 75 && p95 <= 100, `p95 ${p95}`);
  const p50 = estimateQuantile(b, 0.5, 1, 100)!;
  assert.ok(p50 > 25 && p50 <= 50, `p50 ${p50}`);
  assert.equal(estimateQuantile(emptyBuckets(), 0.95), null);
  const slow = emptyBuckets();
  slow[LATENCY_BUCKETS_MS.length] = 2; // both above the last bound (60 s): the max bounds the estimate
  const est = estimateQuantile(slow, 0.95, 70_000, 75_000)!;
  assert.ok(est >= 70_000 && est <= 75_000, `${est}`);
});

test('retention deletes expired raw rows, rollups and events in bounded chunks and says when more remains', () => {
  const clock = new ManualClock(T0 + 400 * DAY);
  const db = freshDb();
  const h = createProbeHistoryRepo(db, { clock, pruneChunk: 1000 });
  const now = clock.now();
  // 2500 raw rows older than 48 h over 3 services, 30 fresh ones
  for (let i = 0; i < 2500; i++) h.record(result(`s${i % 3}`, now - 3 * DAY + i * 1000, true));
  for (let i = 0; i < 30; i++) h.record(result(`s${i % 3}`, now - HOUR + i * 1000, true));
  // an old rollup-only hour (100 days ago) and events 400 and 10 days old
  h.record(result('s0', now - 100 * DAY, false));
  h.recordEvent({ serviceId: 's0', timestamp: now - 399 * DAY, kind: 'down', from: null, to: null, detail: '' });
  h.recordEvent({ serviceId: 's0', timestamp: now - 10 * DAY, kind: 'version_change', from: '1.0', to: '1.1', detail: '' });
  h.flush();
  assert.equal(rawCount(db), 2531);
  const rollupCount = () => Number(db.sql.prepare('SELECT COUNT(*) AS n FROM probe_rollups').get()!.n);
  const rollupsBefore = rollupCount();

  const first = h.prune();
  assert.equal(first.deleted.raw, 1000);
  assert.equal(first.more, true);
  const second = h.prune();
  assert.equal(second.deleted.raw, 1000);
  assert.equal(second.more, true);
  let calls = 2;
  let last = second;
  while (last.more && calls < 20) {
    last = h.prune();
    calls++;
    assert.ok(last.deleted.raw + last.deleted.rollups + last.deleted.events <= 1000);
  }
  assert.equal(last.more, false);
  // the 100-day-old raw row too, so 2501 old rows in all
  assert.equal(rawCount(db), 30);
  assert.equal(rollupCount(), rollupsBefore - 1, 'only the 100-day-old rollup is gone');
  assert.deepEqual(
    h.events('s0').map((e) => e.kind),
    ['version_change'],
  );
  const idle = h.prune();
  assert.deepEqual(idle, { deleted: { raw: 0, rollups: 0, events: 0 }, more: false });
  db.close();
});

test('retention periods are configurable', () => {
  const clock = new ManualClock(T0 + 10 * DAY);
  const db = freshDb();
  const h = createProbeHistoryRepo(db, { clock, retention: { rawMs: HOUR, rollupMs: 2 * DAY, eventMs: 3 * DAY } });
  const now = clock.now();
  h.record(result('a', now - 2 * HOUR, true));
  h.record(result('a', now - 3 * DAY, true));
  h.record(result('a', now - 10, true));
  h.recordEvent({ serviceId: 'a', timestamp: now - 4 * DAY, kind: 'up', from: null, to: null, detail: '' });
  h.flush();
  assert.equal(h.prune().more, false);
  assert.equal(rawCount(db), 1);
  assert.equal(h.latencySeries('a', now - 5 * DAY, now).points.length, 2, 'the 3-day-old hour is gone, 2 h ago stays');
  assert.equal(h.events('a').length, 0);
  db.close();
});

test('uptime: raw for the far-edge hour while kept, rollups for whole hours, with an injected clock', () => {
  const clock = new ManualClock(T0);
  const db = freshDb();
  const h = createProbeHistoryRepo(db, { clock });
  // 40 days, one check every 10 minutes; every 13th check fails; flush hourly and prune daily as production would
  const all: { ts: number; ok: boolean }[] = [];
  const step = 10 * 60_000;
  const end = T0 + 40 * DAY + 25 * 60_000; // not on an hour boundary
  for (let ts = T0, i = 0; ts <= end; ts += step, i++) {
    const ok = i % 13 !== 0;
    all.push({ ts, ok });
    h.record(result('pay', ts, ok, 10 + (i % 50)));
    if (i % 6 === 5) h.flush();
    if (i % 144 === 0) {
      clock.advance(ts - clock.now());
      while (h.prune().more);
    }
  }
  h.flush();
  clock.advance(end - clock.now());
  while (h.prune().more);
  assert.ok(rawCount(db) <= (48 * 60) / 10 + 1, 'raw rows older than 48 h were pruned');

  const now = end + 60_000;
  const up = h.uptime('pay', now);
  const expect = (from: number) => {
    const inWin = all.filter((c) => c.ts >= from && c.ts <= now);
    const failures = inWin.filter((c) => !c.ok).length;
    return { checks: inWin.length, failures, ratio: (inWin.length - failures) / inWin.length };
  };
  // 24 h: exact (the edge hour comes from the raw rows)
  assert.deepEqual(up['24h'], expect(now - DAY));
  // 7 d and 30 d: from the first whole hour inside the window
  const firstHour = (ms: number) => Math.ceil((now - ms) / HOUR) * HOUR;
  assert.deepEqual(up['7d'], expect(firstHour(7 * DAY)));
  assert.deepEqual(up['30d'], expect(firstHour(30 * DAY)));
  assert.ok(up['30d'].checks > 4000 && up['30d'].ratio! > 0.9 && up['30d'].ratio! < 0.95);

  assert.deepEqual(h.uptime('nobody', now)['24h'], { checks: 0, failures: 0, ratio: null });
  db.close();
});

test('latency percentiles over 24 h: from the hourly histograms plus the raw edge hour, successful checks only', () => {
  const db = freshDb();
  const h = createProbeHistoryRepo(db, { clock: new ManualClock(T0) });
  const now = T0 + 10 * DAY + 20 * 60_000; // 20 minutes past the hour: the window starts mid-hour
  for (let ms = 1; ms <= 100; ms++) h.record(result('a', now - ms * 60_000, true, ms));
  h.record(result('a', now - 1000, false, 9999)); // failure: excluded
  h.record(result('a', now - 25 * HOUR, true, 5000)); // older than 24 h: excluded
  h.record(result('a', now - 24 * HOUR - 60_000, true, 5000)); // same hour as the window's start, but before it: excluded
  h.record(result('a', now - 24 * HOUR + 60_000, true, 7)); // in the partial edge hour: counted (from the raw rows)
  h.flush();
  const p = h.latencyPercentiles('a', now);
  assert.equal(p.samples, 101);
  // uniform 1..100 (+ one 7): bucket-interpolated estimates land on the exact values here
  assert.ok(Math.abs(p.p50! - 50) <= 1, `p50 ${p.p50}`);
  assert.ok(Math.abs(p.p95! - 95) <= 1, `p95 ${p.p95}`);
  assert.deepEqual(h.latencyPercentiles('b', now), { p50: null, p95: null, samples: 0 });

  // a skewed distribution: 90 fast (10 ms) and 10 slow (2 s) checks; p95 must land in the slow bucket (1.5 s, 2 s]
  for (let i = 0; i < 100; i++) h.record(result('skew', now - (i + 1) * 60_000, true, i < 90 ? 10 : 2000));
  h.flush();
  const skew = h.latencyPercentiles('skew', now);
  assert.equal(skew.p50, 10);
  assert.ok(skew.p95! > 1500 && skew.p95! <= 2000, `p95 ${skew.p95}`);
  db.close();
});

test('recent checks newest first, last checks oldest first, events newest first, all bounded', () => {
  const db = freshDb();
  const h = createProbeHistoryRepo(db, { clock: new ManualClock(T0) });
  for (let i = 0; i < 1200; i++)
    h.record(result('a', T0 + i * 10_000, i !== 1199, 15, i === 1199 ? { statusCode: null, reason: 'connect', errorMessage: 'ECONNREFUSED', version: null } : {}));
  for (let i = 0; i < 5; i++) h.recordEvent({ serviceId: 'a', timestamp: T0 + i, kind: i % 2 ? 'up' : 'down', from: null, to: null, detail: `e${i}` });
  h.flush();
  const recent = h.recentChecks('a', 3);
  assert.deepEqual(
    recent.map((c) => c.timestamp),
    [T0 + 1199 * 10_000, T0 + 1198 * 10_000, T0 + 1197 * 10_000],
  );
  assert.deepEqual(recent[0], {
    serviceId: 'a',
    timestamp: T0 + 1199 * 10_000,
    ok: false,
    statusCode: null,
    latencyMs: 15,
    version: null,
    reason: 'connect',
    errorMessage: 'ECONNREFUSED',
  });
  assert.equal(h.recentChecks('a', 5000).length, 1000, 'limit clamped to 1000');
  const bar = h.lastChecks('a', 50);
  assert.equal(bar.length, 50);
  assert.ok(bar[0]!.timestamp < bar[49]!.timestamp);
  assert.deepEqual(
    h.events('a', 2).map((e) => e.detail),
    ['e4', 'e3'],
  );
  const now = T0 + 1199 * 10_000;
  const raw = h.latencySeries('a', now - HOUR, now);
  assert.equal(raw.resolution, 'raw');
  assert.equal(raw.points.length, 361);
  assert.ok(raw.points[0]!.timestamp < raw.points[360]!.timestamp);
  db.close();
});

test('history survives re-opening the database file', () => {
  const path = join(dir, 'reopen.db');
  let db = openDatabase(path);
  let h = createProbeHistoryRepo(db, { clock: new ManualClock(T0) });
  h.record(result('a', T0, true));
  h.flush();
  db.close();
  db = openDatabase(path);
  h = createProbeHistoryRepo(db, { clock: new ManualClock(T0) });
  h.record(result('a', T0 + 1, false));
  h.flush();
  assert.equal(h.recentChecks('a', 10).length, 2);
  assert.deepEqual(h.uptime('a', T0 + HOUR)['24h'], { checks: 2, failures: 1, ratio: 0.5 }, 'the hour\'s rollup read back and merged');
  db.close();
});

test('maintenance: flushes on its timer, prunes chunk by chunk, flushes what is left on stop', async () => {
  const clock = new ManualClock(T0 + 10 * DAY);
  const db = freshDb();
  const h = createProbeHistoryRepo(db, { clock, pruneChunk: 100 });
  const logs: string[] = [];
  const logger = { warn: (_o: object, m: string) => void logs.push(m), error: (_o: object, m: string) => void logs.push(m) };
  for (let i = 0; i < 350; i++) h.record(result('a', clock.now() - 3 * DAY + i, true));
  h.flush();
  const m = startProbeHistoryMaintenance(h, { clock, logger: logger as never, flushEveryMs: 1000, pruneEveryMs: 60_000 });
  h.record(result('a', clock.now(), true));
  clock.advance(999);
  assert.equal(h.stats().buffered, 1, 'not yet');
  clock.advance(1);
  assert.equal(h.stats().buffered, 0, 'flushed by the timer');
  clock.advance(59_000);
  await m.idle();
  assert.equal(rawCount(db), 1, 'the 350 expired rows deleted, 100 per chunk');
  h.record(result('a', clock.now(), false));
  m.stop();
  assert.equal(h.stats().buffered, 0, 'stop flushes');
  assert.equal(rawCount(db), 2);
  clock.advance(120_000);
  assert.deepEqual(logs, []);
  db.close();
});

test('maintenance: a failed flush is logged once per streak and its rows written by the next', () => {
  const clock = new ManualClock(T0);
  const base = freshDb();
  const { db, failNext } = countingDb(base);
  const h = createProbeHistoryRepo(db, { clock });
  const logs: string[] = [];
  const logger = { warn: (_o: object, m: string) => void logs.push(m), error: (_o: object, m: string) => void logs.push(m) };
  const m = startProbeHistoryMaintenance(h, { clock, logger: logger as never });
  h.record(result('a', T0, true));
  failNext();
  clock.advance(1000);
  assert.deepEqual(logs, ['probe history flush failed; results stay buffered']);
  assert.equal(rawCount(base), 0);
  clock.advance(1000);
  assert.equal(rawCount(base), 1);
  assert.deepEqual(logs, ['probe history flush failed; results stay buffered', 'probe history writes work again']);
  m.stop();
  base.close();
});
