import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { fixturePath, missingFixture } from '../../../test/support/fixtures.ts';
import { createAnalyzeRunner, type AnalyzeRunner } from '../../heartbeats/analyze-runner.ts';
import type { AnalyzeResult } from '../../heartbeats/analyze.ts';
import { ManualClock } from '../../lib/clock.ts';
import { jsonError } from '../errors.ts';
import { analyzeRoutes, type AnalyzeRouteDeps } from './analyze.ts';

const FIXTURE = 'peer-heartbeat-events.json';
const app = (deps: AnalyzeRouteDeps = {}) => {
  const a = new Hono();
  analyzeRoutes(a, deps);
  return a;
};
const post = (a: Hono, query: string, body: RequestInit['body'], headers: Record<string, string> = {}) => a.request(`/analyze${query}`, { method: 'POST', body, headers });
const strip = (r: AnalyzeResult) => ({ ...r, duration_ms: 0 });

describe('POST /analyze', () => {
  test('a JSON body: the full result (alerts, totals, reasons, services, duration)', { skip: missingFixture(FIXTURE) }, async () => {
    const res = await post(app(), '?interval=60&allowed_misses=3&tolerance=0', readFileSync(fixturePath(FIXTURE)), { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    const r = (await res.json()) as AnalyzeResult;
    assert.equal(r.total_events, 29);
    assert.equal(r.valid_events, 26);
    assert.equal(r.invalid_events, 3);
    assert.deepEqual(r.invalid_by_reason.missing_timestamp, 1);
    assert.deepEqual(r.invalid, [
      { index: 11, reason: 'missing_timestamp' },
      { index: 12, reason: 'invalid_timestamp_format' },
      { index: 13, reason: 'missing_service' },
    ]);
    assert.deepEqual(r.services.map((s) => s.service), ['email', 'sms', 'push']);
    assert.equal(r.alerts_total, 7);
    assert.deepEqual(r.alerts[6], { service: 'push', alert_at: '2025-08-04T10:17:00Z', missed_count: 3, last_seen: '2025-08-04T10:14:00Z' });
    assert.equal(typeof r.duration_ms, 'number');
  });

  test('a multipart upload with a file field gives the same result; without one a 400', { skip: missingFixture(FIXTURE) }, async () => {
    const bytes = readFileSync(fixturePath(FIXTURE));
    const a = app();
    const plain = (await (await post(a, '', bytes)).json()) as AnalyzeResult;
    const form = new FormData();
    form.set('file', new Blob([bytes], { type: 'application/json' }), 'events.json');
    const res = await post(a, '', form);
    assert.equal(res.status, 200);
    assert.deepEqual(strip((await res.json()) as AnalyzeResult), strip(plain));

    const noFile = new FormData();
    noFile.set('other', 'x');
    const bad = await post(a, '', noFile);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /"file" field/);
  });

  test('options as query parameters; a 400 names each bad one', async () => {
    const a = app({ clock: new ManualClock(Date.parse('2025-08-04T10:07:30Z')) });
    const body = JSON.stringify([{ service: 'a', timestamp: '2025-08-04T10:00:00Z' }]);
    const ok = (await (await post(a, '?interval=120&allowed_misses=1&until=now', body)).json()) as AnalyzeResult;
    assert.deepEqual(ok.options, { interval_seconds: 120, allowed_misses: 1, tolerance_seconds: 0, until: '2025-08-04T10:07:30Z' });
    assert.deepEqual(ok.alerts.map((x) => x.alert_at), ['2025-08-04T10:02:00Z', '2025-08-04T10:04:00Z', '2025-08-04T10:06:00Z']);

    for (const [q, names] of [
      ['?interval=0', ['interval']],
      ['?interval=abc', ['interval']],
      ['?allowed_misses=101&tolerance=-1', ['allowed_misses', 'tolerance']],
      ['?allowed_misses=1.5', ['allowed_misses']],
      ['?intervall=60', ['intervall']],
      ['?until=someday', ['until']],
    ] as [string, string[]][]) {
      const res = await post(a, q, body);
      assert.equal(res.status, 400, q);
      const e = (await res.json()) as { error: string; details: { parameter: string }[] };
      assert.deepEqual(e.details.map((d) => d.parameter).sort(), [...names].sort(), q);
      for (const n of names) assert.ok(e.error.includes(n), e.error);
    }
  });

  test('invalid JSON and a non-array body are 400s with the reason', async () => {
    const a = app();
    const bad = await post(a, '', '[{"service": "a",]');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /^invalid JSON: unexpected '\]' at line 1, column 18/);
    const obj = await post(a, '', '{"service": "a"}');
    assert.equal(obj.status, 400);
    assert.match(((await obj.json()) as { error: string }).error, /must be an array of events, found an object/);
  });

  test('413 JSON above the body limit, with or without a content-length', async () => {
    const a = app({ maxBodyBytes: 1000 });
    const big = JSON.stringify(Array.from({ length: 50 }, () => ({ service: 'a', timestamp: 1 })));
    const res = await post(a, '', big, { 'content-length': String(big.length) });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /larger than 1000 bytes/);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode(big.slice(i * 200, (i + 1) * 200)));
        c.close();
      },
    });
    const chunked = await a.request('/analyze', { method: 'POST', body: stream, headers: { 'transfer-encoding': 'chunked' }, duplex: 'half' } as RequestInit);
    assert.equal(chunked.status, 413);
    const small = await post(a, '', '[]');
    assert.equal(small.status, 200);
  });

  test('a worker thread gives the same result as the inline analysis', { skip: missingFixture(FIXTURE) }, async () => {
    const bytes = readFileSync(fixturePath(FIXTURE));
    const inline = (await (await post(app(), '?tolerance=5', bytes)).json()) as AnalyzeResult;
    const viaWorker = (await (await post(app({ runner: createAnalyzeRunner(0) }), '?tolerance=5', bytes)).json()) as AnalyzeResult;
    assert.deepEqual(strip(viaWorker), strip(inline));
    const bad = await post(app({ runner: createAnalyzeRunner(0) }), '', '[1, 2');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /^invalid JSON: unexpected end of input/);
  });

  test('more than maxConcurrent analyses at once: 503 with Retry-After; the guard runs first', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inner = createAnalyzeRunner();
    const slow: AnalyzeRunner = async (b, o) => {
      await gate;
      return inner(b, o);
    };
    const a = app({ runner: slow, maxConcurrent: 1, guard: async (c, next) => (c.req.header('authorization') === 'Bearer t' ? next() : jsonError(c, 401, 'token required')) });
    const auth = { authorization: 'Bearer t' };
    assert.equal((await post(a, '', '[]')).status, 401);
    const first = post(a, '', '[]', auth);
    await new Promise((r) => setImmediate(r));
    const second = await post(a, '', '[]', auth);
    assert.equal(second.status, 503);
    assert.equal(second.headers.get('retry-after'), '5');
    release();
    assert.equal((await first).status, 200);
    assert.equal((await post(a, '', '[]', auth)).status, 200);
  });
});
