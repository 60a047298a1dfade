import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { hostInfoReading, readStaticFacts, staticFactsFromOs } from './static-facts.ts';
import { assertInCatalog } from './testdata/catalog-check.ts';

test('readStaticFacts on Linux reads /etc/os-release and /proc/cpuinfo, agreeing with systeminformation', async () => {
  const f = await readStaticFacts();
  const viaSi = await readStaticFacts({ platform: 'darwin' });
  assert.equal(f.os, viaSi.os);
  assert.equal(f.kernel, viaSi.kernel);
  assert.equal(f.cpuCores, os.cpus().length);
  assert.ok(f.cpuModel.length > 0);
  const fake = await readStaticFacts({ paths: { procfs: '/nonexistent', rootfs: '/nonexistent' } });
  assert.equal(fake.os, staticFactsFromOs().os, 'missing files fall back to node:os');
});

test('readStaticFacts from systeminformation on this host', async () => {
  const f = await readStaticFacts({ platform: 'darwin' });
  assert.equal(f.hostname, os.hostname());
  assert.equal(f.arch, os.arch());
  assert.equal(f.platform, process.platform);
  assert.ok(f.kernel.length > 0 && f.os.length > 0 && f.cpuModel.length > 0);
  assert.ok(f.cpuCores >= 1);
});

test('falls back to node:os when systeminformation throws', async () => {
  const broken = { osInfo: () => Promise.reject(new Error('no')), cpu: () => Promise.reject(new Error('no')) };
  assert.deepEqual(await readStaticFacts({ si: broken }), staticFactsFromOs());
});

test('host_info reading carries the facts as labels and is in the catalog', () => {
  const r = hostInfoReading({ hostname: 'h', os: 'Debian 13', platform: 'linux', kernel: '6.1', arch: 'x64', cpuModel: 'Intel Xeon', cpuCores: 4 });
  assert.deepEqual(r, { metric: 'host_info', labels: { hostname: 'h', os: 'Debian 13', kernel: '6.1', arch: 'x64', cpu_model: 'Intel Xeon' }, value: 1 });
  assertInCatalog([r]);
});
