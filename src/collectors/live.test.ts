import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { samplingSchema } from '../config/schema.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import { collectorOptionsFromConfig, createCollectors } from './index.ts';
import { assertInCatalog } from './testdata/catalog-check.ts';
import { signal } from './testdata/paths.ts';

// The real host this runs on, through /proc, /sys and / with the default filters.
const linux = process.platform === 'linux';

test('live: every collector on this host returns sane readings', { skip: !linux && 'not Linux' }, async () => {
  const collectors = createCollectors(collectorOptionsFromConfig(samplingSchema.parse({})));
  const by: Record<string, Reading[]> = {};
  for (const c of collectors) {
    const out = await c.collect(signal());
    assertInCatalog(out.readings);
    assert.doesNotThrow(() => JSON.stringify(out.summary));
    by[c.name] = out.readings;
  }
  const val = (name: string, m: string, labels: Record<string, string> = {}) =>
    by[name]?.find((r) => r.metric === m && Object.entries(labels).every(([k, v]) => r.labels[k] === v))?.value;
  const ratio = (x: number | undefined) => assert.ok(x !== undefined && x >= 0 && x <= 1, `ratio ${x}`);

  ratio(val('cpu', 'host_cpu_usage_ratio', { cpu: 'all' }));
  for (const r of by.cpu ?? []) if (r.metric === 'host_cpu_usage_ratio') ratio(r.value);
  assert.equal(val('cpu', 'host_cpus'), os.cpus().length);
  assert.ok((val('memory', 'host_memory_total_bytes') ?? 0) > 0);
  ratio(val('memory', 'host_memory_used_ratio'));
  ratio(val('memory', 'host_swap_used_ratio'));
  for (const r of by.filesystem ?? []) if (r.metric === 'host_filesystem_used_ratio') ratio(r.value);
  for (const r of by.filesystem ?? []) if (r.metric === 'host_filesystem_size_bytes') assert.ok(r.value >= 0);
  for (const r of [...(by.disk ?? []), ...(by.network ?? [])]) assert.ok(r.value >= 0);
  assert.ok(!(by.network ?? []).some((r) => r.labels.device === 'lo'), 'lo is excluded by default');
  assert.ok((val('load', 'host_load1') ?? -1) >= 0);
  const boot = val('boot', 'host_boot_time_seconds') ?? 0;
  assert.ok(boot > Date.UTC(2000, 0, 1) / 1000 && boot < Date.now() / 1000, `boot time ${boot}`);
  assert.ok(Math.abs(boot + os.uptime() - Date.now() / 1000) < 5, 'boot time agrees with os.uptime()');
});

test('live: the second cpu collect (a delta) is still a ratio', { skip: !linux && 'not Linux' }, async () => {
  const [cpu] = createCollectors({ ...collectorOptionsFromConfig(samplingSchema.parse({ collectors: { load: false, memory: false, filesystem: false, disk: false, network: false, boot: false } })) });
  assert.equal(cpu?.name, 'cpu');
  await cpu?.collect(signal());
  let spin = 0;
  for (let i = 0; i < 2e7; i++) spin += i; // burn a few ticks so the delta is not empty
  assert.ok(spin > 0);
  const out = await cpu?.collect(signal());
  const all = out?.readings.find((r) => r.metric === 'host_cpu_usage_ratio' && r.labels.cpu === 'all')?.value;
  assert.ok(all !== undefined && all >= 0 && all <= 1, `usage ${all}`);
});
