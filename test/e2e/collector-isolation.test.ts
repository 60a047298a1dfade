// A collector that throws and one that hangs must not fail or delay a scrape, nor stale the others' values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Collector } from '../../src/collectors/collector.ts';
import { MEMORY_METRICS } from '../../src/collectors/memory.ts';
import { createCollectors, collectorOptionsFromConfig } from '../../src/collectors/index.ts';
import { staticFactsFromOs } from '../../src/collectors/static-facts.ts';
import { configSchema } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createSidecar } from '../../src/sidecar.ts';

const config = configSchema.parse({ sampling: { interval: '200ms', timeout: '150ms' }, storage: { path: ':memory:' } });

function scrapeValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('a throwing and a hanging collector leave /metrics at 200 with fresh values from the others', async (t) => {
  const real = createCollectors(collectorOptionsFromConfig(config.sampling)).filter((c) => c.name === 'memory' || c.name === 'cpu');
  let hangingCalls = 0;
  const throwing: Collector = { name: 'broken', kind: 'host', metrics: {}, collect: async () => { throw new Error('disk on fire'); } };
  const hanging: Collector = { name: 'stuck', kind: 'host', metrics: {}, collect: () => { hangingCalls++; return new Promise(() => {}); } };
  const sidecar = await createSidecar(config, { logger: silentLogger(), collectors: [...real, throwing, hanging], staticFacts: async () => staticFactsFromOs() });
  await sidecar.start({ host: '127.0.0.1', port: 0 });
  t.after(() => sidecar.stop(100));

  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await wait(450);
  const t0 = performance.now();
  const first = await sidecar.app.request('/metrics');
  const elapsed = performance.now() - t0;
  assert.equal(first.status, 200);
  const text1 = await first.text();
  assert.ok(elapsed < 100, `scrape served from cache (took ${elapsed.toFixed(1)} ms)`);
  assert.equal(scrapeValue(text1, 'prodpulse_collector_success{collector="broken"}'), 0);
  assert.equal(scrapeValue(text1, 'prodpulse_collector_success{collector="stuck"}'), 0);
  assert.equal(scrapeValue(text1, 'prodpulse_collector_success{collector="memory"}'), 1);
  assert.ok((scrapeValue(text1, 'host_memory_total_bytes') ?? 0) > 0);
  const ts1 = scrapeValue(text1, 'prodpulse_last_sample_timestamp_seconds')!;

  await wait(500);
  const text2 = await (await sidecar.app.request('/metrics')).text();
  const ts2 = scrapeValue(text2, 'prodpulse_last_sample_timestamp_seconds')!;
  assert.ok(ts2 > ts1, `sampling keeps going despite the hung collector (${ts1} → ${ts2})`);
  assert.ok((scrapeValue(text2, 'host_cpu_usage_ratio{cpu="all"}') ?? -1) >= 0);
  assert.equal(hangingCalls, 1, 'a hung collector is not called again while its previous call is outstanding');

  const live = (await (await sidecar.app.request('/metrics/live')).json()) as { collectors: Record<string, { ok: boolean; error?: string }> };
  assert.equal(live.collectors.broken?.ok, false);
  assert.equal(live.collectors.broken?.error, 'disk on fire');
  assert.match(live.collectors.stuck?.error ?? '', /timed out after 150ms|still running/);
});

test('/ready is 503 until the first sample has been taken, then 200', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow: Collector = { name: 'memory', kind: 'host', metrics: MEMORY_METRICS, collect: async () => { await gate; return { readings: [{ metric: 'host_memory_total_bytes', labels: {}, value: 42 }], summary: {} }; } };
  const cfg = configSchema.parse({ sampling: { interval: '1s', timeout: '900ms' } });
  const sidecar = await createSidecar(cfg, { logger: silentLogger(), collectors: [slow], staticFacts: async () => staticFactsFromOs() });
  await sidecar.start({ host: '127.0.0.1', port: 0 });
  t.after(() => sidecar.stop(100));

  const before = await sidecar.app.request('/ready');
  assert.equal(before.status, 503);
  assert.equal(((await before.json()) as { status: string }).status, 'not ready');
  assert.equal((await sidecar.app.request('/metrics')).status, 503);
  assert.equal((await sidecar.app.request('/health')).status, 200, '/health answers while not ready');

  release();
  for (let i = 0; i < 50 && (await sidecar.app.request('/ready')).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal((await sidecar.app.request('/ready')).status, 200);
  const text = await (await sidecar.app.request('/metrics')).text();
  assert.equal(scrapeValue(text, 'host_memory_total_bytes'), 42);
});
