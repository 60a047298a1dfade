import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import { ManualClock } from '../lib/clock.ts';
import { silentLogger } from '../lib/logger.ts';
import type { FedSource, ScheduledSource } from '../sources/source.ts';
import { SPREAD_ABOVE, Scheduler } from './scheduler.ts';
import type { Snapshot } from './snapshot.ts';

const spec = { type: 'gauge', help: 'test', labels: [] } as const;

function counting(name: string, kind: 'host' | 'service', intervalMs: number): ScheduledSource & { runs: number } {
  const s = {
    name,
    kind,
    metrics: { [`${name}_runs`]: spec },
    schedule: { intervalMs, timeoutMs: 80 },
    runs: 0,
    async collect() {
      s.runs++;
      return { readings: [{ metric: `${name}_runs`, labels: {}, value: s.runs }], summary: { runs: s.runs } };
    },
  };
  return s;
}

function hung(name: string, kind: 'host' | 'service'): ScheduledSource & { calls: number } {
  const s = { name, kind, metrics: {}, schedule: { intervalMs: 100, timeoutMs: 80 }, calls: 0, collect: () => (s.calls++, new Promise<never>(() => {})) };
  return s;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await turn();
}

/** Moves the manual clock in small steps, letting promises settle between them. */
async function run(clock: ManualClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle();
  }
}

test('a source that hangs for ten intervals never delays the others: host rounds and own-schedule sources stay fresh', async () => {
  const clock = new ManualClock();
  const fast = counting('fast', 'host', 100);
  const stuckHost = hung('stuck_host', 'host');
  const probe = counting('probe', 'service', 300);
  const stuckProbe = hung('stuck_probe', 'service');
  let pings = 0;
  const fed: FedSource = { name: 'fed', kind: 'heartbeat', fed: true, metrics: { fed_reads: spec }, read: () => ({ readings: [{ metric: 'fed_reads', labels: {}, value: ++pings }], summary: {} }) };
  const snaps: Snapshot[] = [];
  const scheduler = new Scheduler({ sources: [fast, stuckHost, probe, stuckProbe, fed], intervalMs: 100, clock, logger: silentLogger(), onSnapshot: (s) => void snaps.push(s) });
  scheduler.start();
  await settle();
  await run(clock, 1000);
  await scheduler.stop();

  // the first round waits for the hung host source's timeout (80 ms); after that it fails fast as "still running"
  assert.ok(snaps.length >= 9, `${snaps.length} snapshots in ten intervals`);
  assert.equal(stuckHost.calls, 1, 'a hung host source is not called again while its run has not returned');
  const last = snaps.at(-1)!;
  assert.equal(last.sections.fast?.ok, true);
  assert.equal(last.sections.fast?.settledAt, last.takenAt, 'the host section is from this round');
  assert.equal(last.sections.stuck_host?.ok, false);
  assert.match((last.sections.stuck_host as { error: string }).error, /still running|timed out/);
  // the own-schedule probe ran on its 300 ms interval although its hung sibling never returned
  assert.ok(probe.runs >= 3 && probe.runs <= 5, `probe ran ${probe.runs} times in 1 s at 300 ms`);
  assert.equal(last.sections.probe?.ok, true);
  assert.equal(last.sections.probe?.kind, 'service');
  assert.ok(last.takenAt - last.sections.probe!.settledAt < 300, 'the probe section is at most one probe interval old');
  assert.equal(last.sections.stuck_probe?.ok, false, 'the hung probe timed out on its own schedule');
  // readings: the fast host source, the probe's latest, the fed source read at publish
  const metrics = new Set(last.readings.map((r) => r.metric));
  assert.deepEqual([...metrics].sort(), ['fast_runs', 'fed_reads', 'probe_runs']);
  assert.equal(last.readings.find((r) => r.metric === 'fed_reads')?.value, snaps.length, 'fed sources are read once per publish');
});

test('setSources adds, replaces and removes own-schedule sources without touching unchanged ones', async () => {
  const clock = new ManualClock();
  const a = counting('a', 'service', 100);
  const b = counting('b', 'service', 100);
  const snaps: Snapshot[] = [];
  const scheduler = new Scheduler({ sources: [a, b], intervalMs: 100, clock, logger: silentLogger(), onSnapshot: (s) => void snaps.push(s) });
  scheduler.start();
  await run(clock, 300);
  const aRuns = a.runs;
  const c = counting('c', 'service', 100);
  scheduler.setSources([a, c]);
  await run(clock, 300);
  await scheduler.stop();
  const last = snaps.at(-1)!;
  assert.deepEqual(Object.keys(last.sections).sort(), ['a', 'c']);
  assert.ok(a.runs >= aRuns + 2, 'a kept its loop');
  assert.ok(c.runs >= 2, 'c started');
  const bRuns = b.runs;
  await run(clock, 300);
  assert.equal(b.runs, bRuns, 'b stopped');
});

test('a failed run marks its metrics unavailable so rules keep their state', async () => {
  const clock = new ManualClock();
  let fail = false;
  const flaky: ScheduledSource = {
    name: 'flaky',
    kind: 'host',
    metrics: { flaky_value: spec },
    schedule: { intervalMs: 100, timeoutMs: 80 },
    async collect() {
      if (fail) throw new Error('boom');
      return { readings: [{ metric: 'flaky_value', labels: {}, value: 1 }], summary: {} };
    },
  };
  const scheduler = new Scheduler({ sources: [flaky], intervalMs: 100, clock, logger: silentLogger(), onSnapshot: () => {} });
  assert.deepEqual([...(await scheduler.sampleOnce()).unavailable], []);
  fail = true;
  const s = await scheduler.sampleOnce();
  assert.deepEqual([...s.unavailable], ['flaky_value']);
  assert.equal(s.readings.length, 0);
  assert.equal(s.sections.flaky?.ok, false);
});

test('a probe that has not settled since start marks its metrics unavailable (a restored alert does not resolve before its first check)', async () => {
  const clock = new ManualClock();
  const slow = hung('slow_probe', 'service');
  const probe: ScheduledSource = { ...hung('probe', 'service'), metrics: { probe_incident: spec } };
  const snaps: Snapshot[] = [];
  const scheduler = new Scheduler({ sources: [counting('host', 'host', 100), probe, slow], intervalMs: 100, clock, logger: silentLogger(), onSnapshot: (s) => void snaps.push(s) });
  scheduler.start();
  await settle();
  await run(clock, 50);
  await scheduler.stop();
  assert.ok(snaps.length >= 1);
  assert.deepEqual([...snaps[0]!.unavailable], ['probe_incident']);
  assert.equal(snaps[0]!.sections.probe, undefined);
});

test('many own-schedule sources starting together run their first checks spread over the interval; a few run at once', async () => {
  for (const n of [SPREAD_ABOVE, 40]) {
    const clock = new ManualClock();
    const probes = Array.from({ length: n }, (_, i) => counting(`p${i}`, 'service', 1000));
    const scheduler = new Scheduler({ sources: probes, intervalMs: 1000, clock, logger: silentLogger(), onSnapshot: () => {} });
    scheduler.start();
    await settle();
    const atOnce = probes.filter((p) => p.runs > 0).length;
    await run(clock, 500);
    const byHalf = probes.filter((p) => p.runs > 0).length;
    await run(clock, 490);
    const byEnd = probes.filter((p) => p.runs === 1).length;
    await scheduler.stop();
    if (n <= SPREAD_ABOVE) assert.equal(atOnce, n, 'up to SPREAD_ABOVE start at once');
    else {
      assert.equal(atOnce, 1, 'only the first runs at once');
      assert.ok(byHalf >= n / 2 - 1 && byHalf <= n / 2 + 1, `about half by mid-interval: ${byHalf} of ${n}`);
    }
    assert.equal(byEnd, n, 'every source ran exactly once within its first interval');
  }
});
