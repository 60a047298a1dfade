import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryCollector, memoryFromMeminfo, memoryOutput, parseMeminfo } from './memory.ts';
import { HOST1, signal } from './testdata/paths.ts';

test('memory collector on the testdata host: kB to bytes, ratios from MemAvailable and SwapFree', async () => {
  const out = await createMemoryCollector({ paths: HOST1, platform: 'linux' }).collect(signal());
  const v = Object.fromEntries(out.readings.map((r) => [r.metric, r.value]));
  assert.deepEqual(v, {
    host_memory_total_bytes: 8_000_000 * 1024,
    host_memory_available_bytes: 6_000_000 * 1024,
    host_memory_used_ratio: 0.25,
    host_swap_total_bytes: 2_000_000 * 1024,
    host_swap_used_bytes: 500_000 * 1024,
    host_swap_used_ratio: 0.25,
  });
  assert.deepEqual(out.summary, {
    totalBytes: 8_192_000_000,
    availableBytes: 6_144_000_000,
    usedPercent: 25,
    swapTotalBytes: 2_048_000_000,
    swapUsedBytes: 512_000_000,
    swapUsedPercent: 25,
  });
});

test('no swap gives swap_used_ratio 0; no MemAvailable falls back to free+buffers+cached', () => {
  const m = memoryFromMeminfo(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 200 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n'));
  assert.equal(m.available, 400 * 1024);
  const out = memoryOutput(m);
  assert.equal(out.readings.find((r) => r.metric === 'host_swap_used_ratio')?.value, 0);
  assert.ok(Math.abs((out.readings.find((r) => r.metric === 'host_memory_used_ratio')?.value ?? NaN) - 0.6) < 1e-12);
  assert.throws(() => memoryFromMeminfo(parseMeminfo('MemFree: 1 kB\n')), /no MemTotal/);
});
