import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { ManualClock } from '../../lib/clock.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import { SnapshotStore } from '../../snapshot/store.ts';
import { liveRoute } from './live.ts';

const snapshot = (takenAt: number, load: number): Snapshot => ({
  takenAt,
  durationMs: 3.14159,
  readings: [{ metric: 'host_load1', labels: {}, value: load }],
  unavailable: new Set(),
  sections: {
    load: { kind: 'host', settledAt: takenAt, ok: true, durationMs: 1.234, summary: { load1: load } },
    'service:pay': { kind: 'service', settledAt: takenAt - 2000, ok: true, durationMs: 20, summary: { up: true } },
    disk: { kind: 'host', settledAt: takenAt, ok: false, durationMs: 5, error: 'EACCES' },
  },
});

test('/metrics/live: serialized once per snapshot and status; each answer has its own age; the same bytes as building it whole', async () => {
  const clock = new ManualClock();
  const store = new SnapshotStore(10);
  let status: unknown = [{ kind: 'host', target: 'web-1', status: 'HEALTHY' }];
  const app = new Hono();
  liveRoute(app, { store, clock, intervalMs: () => 5000, status: () => status });
  const get = async (q = '') => {
    const r = await app.request(`/metrics/live${q}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    return { text: await r.text(), status: r.status };
  };
  assert.equal((await get()).status, 503);

  const t0 = clock.now();
  const s0 = snapshot(t0, 0.5);
  await store.publish(s0);
  clock.advance(1500);
  const first = await get();
  const expected = {
    takenAt: new Date(t0).toISOString(),
    ageSeconds: 1.5,
    intervalSeconds: 5,
    sampleDurationMs: 3.14,
    collectors: { load: { ok: true, durationMs: 1.23 }, disk: { ok: false, durationMs: 5, error: 'EACCES' } },
    host: { load: { load1: 0.5 } },
    service: { 'service:pay': { up: true } },
    sources: {
      load: { kind: 'host', ageSeconds: 0, ok: true, durationMs: 1.23 },
      'service:pay': { kind: 'service', ageSeconds: 2, ok: true, durationMs: 20 },
      disk: { kind: 'host', ageSeconds: 0, ok: false, durationMs: 5, error: 'EACCES' },
    },
    status: [{ kind: 'host', target: 'web-1', status: 'HEALTHY' }],
  };
  assert.equal(first.text, JSON.stringify(expected), 'key order and values as c.json of the whole object');

  clock.advance(2000);
  // snapshots are never changed once published; changing one here shows the body is not rebuilt per request
  (s0.sections.load as { summary: unknown }).summary = { load1: 99 };
  assert.equal((await get()).text, JSON.stringify({ ...expected, ageSeconds: 3.5 }), 'cached body, fresh age');

  status = [{ kind: 'host', target: 'web-1', status: 'DOWN' }];
  assert.deepEqual(JSON.parse((await get()).text).status, status, 'a new status view is shown at once');

  await store.publish(snapshot(clock.now(), 0.9));
  const next = JSON.parse((await get()).text);
  assert.equal(next.ageSeconds, 0);
  assert.deepEqual(next.host, { load: { load1: 0.9 } }, 'a new snapshot is shown at once');

  const withHistory = JSON.parse((await get('?history=5')).text);
  assert.ok(Array.isArray(withHistory.history));
  assert.deepEqual(withHistory.host, next.host);
});
