import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { waitFor } from '../../test/support/wait.ts';
import type { Fault } from './faults.ts';
import { sample, startPusher } from './pusher.ts';

test('samples: healthy values sit under the shipped thresholds, HIGH_CPU and HIGH_ERROR_RATE over them', () => {
  for (const r of [0, 0.5, 0.999]) {
    const ok = sample('NONE', () => r);
    assert.ok(ok.cpu <= 85 && ok.error_rate <= 0.1, JSON.stringify(ok));
    assert.ok(sample('HIGH_CPU', () => r).cpu > 85);
    assert.ok(sample('HIGH_ERROR_RATE', () => r).error_rate > 0.1);
    assert.ok(sample('HIGH_CPU', () => r).error_rate <= 0.1, 'one fault at a time');
  }
});

test('the pusher POSTs JSON metrics with the token to /heartbeat/NAME, stops while DOWN, and stop() ends it', async (t) => {
  const got: { url: string; auth: string; body: Record<string, number> }[] = [];
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      got.push({ url: req.url ?? '', auth: req.headers.authorization ?? '', body: JSON.parse(b) as Record<string, number> });
      res.end('OK');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  let fault: Fault = 'NONE';
  const p = startPusher({ name: 'payment', url: `http://127.0.0.1:${port}`, token: 'tok', intervalMs: 50, fault: () => fault, random: () => 0.5 });
  await waitFor('two pushes', () => got.length >= 2);
  assert.equal(got[0]!.url, '/heartbeat/payment');
  assert.equal(got[0]!.auth, 'Bearer tok');
  assert.deepEqual(Object.keys(got[0]!.body).sort(), ['cpu', 'error_rate', 'latency_ms', 'memory']);
  fault = 'DOWN';
  await new Promise((r) => setTimeout(r, 100));
  const n = got.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(got.length, n, 'no push while DOWN');
  fault = 'HIGH_CPU';
  await waitFor('a push again', () => got.length > n);
  assert.ok(got.at(-1)!.body.cpu! > 85);
  await p.stop();
  const m = got.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(got.length, m, 'nothing after stop');
  assert.equal(p.counts.failed, 0);
});
