import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import { createAnalyzeRunner, type AnalyzeRunner } from '../../src/heartbeats/analyze-runner.ts';
import { analyzeRoutes } from '../../src/http/routes/analyze.ts';
import { listen, type Listening } from '../../src/http/server.ts';

/**
 * A big POST /analyze must not hold the thread that serves /metrics: on a real server on 127.0.0.1, a scrape
 * sent once the analysis has started is answered before the analysis is (ordering, not timing). With
 * createAnalyzeRunner(Infinity) (everything inline) this test fails: the scrape waits for the whole analysis.
 */
let server: Listening;
let started!: () => void;
const analysisStarted = new Promise<void>((r) => (started = r));

before(async () => {
  const app = new Hono();
  app.get('/metrics', (c) => c.text('up 1\n'));
  const real = createAnalyzeRunner();
  const runner: AnalyzeRunner = (bytes, options) => {
    const p = real(bytes, options);
    started();
    return p;
  };
  analyzeRoutes(app, { runner });
  server = await listen(app, { host: '127.0.0.1', port: 0 });
});
after(() => server.close(1000));

test('/metrics answers while a 300 000-event analysis runs on the worker thread', async () => {
  const lines: string[] = [];
  const t0 = Date.UTC(2025, 7, 4) / 1000;
  for (let i = 0; i < 300_000; i++) lines.push(`{"service":"svc-${i % 50}","timestamp":${t0 + ((i * 7919) % 300_000) * 3}}`);
  const body = `[${lines.join(',')}]`;
  const order: string[] = [];
  const analysis = fetch(`${server.url}/analyze?interval=60`, { method: 'POST', body }).then(async (r) => {
    const j = (await r.json()) as { total_events: number; valid_events: number };
    order.push('analyze');
    return { status: r.status, ...j };
  });
  await analysisStarted;
  const scrape = await fetch(`${server.url}/metrics`);
  assert.equal(await scrape.text(), 'up 1\n');
  order.push('metrics');
  const res = await analysis;
  assert.equal(res.status, 200);
  assert.equal(res.total_events, 300_000);
  assert.equal(res.valid_events, 300_000);
  assert.deepEqual(order, ['metrics', 'analyze']);
});
