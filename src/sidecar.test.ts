import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Collector } from './collectors/collector.ts';
import { LOAD_METRICS } from './collectors/load.ts';
import { loadConfigFile } from './config/load.ts';
import { silentLogger } from './lib/logger.ts';
import { createSidecar } from './sidecar.ts';

const facts = async () => ({ hostname: 'h', os: 'linux', kernel: 'k', cpuModel: 'c', cpuCores: 1, arch: 'x64', bootTime: 0 }) as never;

test('a reload shows in prodpulse_config_last_reload_successful on the next scrape, not only after the next sample', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-sidecar-'));
  const path = join(dir, 'alerts.yaml');
  const good = 'sampling: { interval: 1h }\nstorage: { path: ":memory:" }\n';
  writeFileSync(path, good);
  const loaded = await loadConfigFile(path, { env: {} });
  assert.ok(loaded.ok);
  const one: Collector = { name: 'one', kind: 'host', metrics: LOAD_METRICS, collect: async () => ({ readings: [{ metric: 'host_load1', labels: {}, value: 1 }], summary: {} }) };
  const sidecar = await createSidecar(loaded.config, { logger: silentLogger(), collectors: [one], staticFacts: facts, configPath: path, env: {} });
  await sidecar.start({ host: '127.0.0.1', port: 0 });
  t.after(() => sidecar.stop(100));
  const reloadMetric = async () => /^prodpulse_config_last_reload_successful (\d)$/m.exec(await (await sidecar.app.request('/metrics')).text())?.[1];
  for (let i = 0; i < 100 && (await sidecar.app.request('/metrics')).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await reloadMetric(), '1');

  writeFileSync(path, `${good}rules: [{ alert: X, metric: host_load1, op: "~", threshold: 1 }]\n`);
  assert.equal((await sidecar.reload('test')).ok, false);
  assert.equal(await reloadMetric(), '0', 'the failed reload is visible at once (the next sample is an hour away)');

  writeFileSync(path, good);
  assert.equal((await sidecar.reload('test')).ok, true);
  assert.equal(await reloadMetric(), '1');
});
