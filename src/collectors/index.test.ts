import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLLECTOR_NAMES, type CollectorName, samplingSchema } from '../config/schema.ts';
import { collectorOptionsFromConfig, createCollectors } from './index.ts';
import { assertInCatalog } from './testdata/catalog-check.ts';
import { HOST1, signal } from './testdata/paths.ts';

const sampling = samplingSchema.parse({ paths: HOST1 });
const allOn = Object.fromEntries(COLLECTOR_NAMES.map((n) => [n, true])) as Record<CollectorName, boolean>;

test('createCollectors returns every enabled collector, named as CollectorName', () => {
  const cs = createCollectors(collectorOptionsFromConfig(sampling, 'linux'));
  assert.deepEqual(cs.map((c) => c.name), [...COLLECTOR_NAMES]);
});

test('disabled collectors are left out', () => {
  const cs = createCollectors({ ...collectorOptionsFromConfig(sampling, 'linux'), enabled: { ...allOn, disk: false, network: false } });
  assert.deepEqual(cs.map((c) => c.name), ['cpu', 'load', 'memory', 'filesystem', 'boot']);
});

test('config.sampling passes straight through, filters included', async () => {
  const s = samplingSchema.parse({ paths: HOST1, collectors: { cpu: false, load: false, memory: false, filesystem: false, boot: false }, network: { exclude: '^(lo|docker\\d+)$' } });
  const [disk, network] = createCollectors(collectorOptionsFromConfig(s, 'linux'));
  assert.equal(disk?.name, 'disk');
  assert.deepEqual(((await disk?.collect(signal()))?.summary as { device: string }[]).map((d) => d.device), ['vda', 'nvme0n1', 'dm-0']);
  assert.deepEqual(((await network?.collect(signal()))?.summary as { device: string }[]).map((d) => d.device), ['eth0']);
});

test('every reading of every collector on the testdata host is in the catalog with exactly its labels', async () => {
  const cs = createCollectors(collectorOptionsFromConfig(sampling, 'linux'));
  for (const c of cs) {
    const out = await c.collect(signal());
    assert.ok(out.readings.length > 0, `${c.name} emits readings`);
    assertInCatalog(out.readings);
  }
});
