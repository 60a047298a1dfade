import assert from 'node:assert/strict';
import { test } from 'node:test';
import { samplingSchema } from '../config/schema.ts';
import { collectorOptionsFromConfig, createCollectors } from './index.ts';
import { assertInCatalog } from './testdata/catalog-check.ts';
import { signal } from './testdata/paths.ts';

// platform 'darwin' selects the systeminformation path; on this host systeminformation answers for Linux,
// for real (it may spawn df and friends).
test('systeminformation fallback: every collector returns catalog readings with sane values', async () => {
  const collectors = createCollectors(collectorOptionsFromConfig(samplingSchema.parse({}), 'darwin'));
  const metrics = new Set<string>();
  for (const c of collectors) {
    const out = await c.collect(signal());
    assertInCatalog(out.readings);
    for (const r of out.readings) metrics.add(r.metric);
    for (const r of out.readings) if (r.metric.endsWith('_ratio')) assert.ok(r.value >= 0 && r.value <= 1, `${r.metric} ${r.value}`);
  }
  for (const m of ['host_cpu_usage_ratio', 'host_cpu_seconds_total', 'host_cpus', 'host_load1', 'host_memory_total_bytes', 'host_swap_used_ratio', 'host_boot_time_seconds', 'host_disk_read_bytes_total'])
    assert.ok(metrics.has(m), `fallback emits ${m}`);
});
