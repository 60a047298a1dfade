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

/** A sidecar on an in-memory database with one fake source registered through the same list as the real ones. */
async function startWith(t: import('node:test').TestContext, yaml: string, sources: import('./sources/source.ts').Source[], interval = '1h') {
  const dir = mkdtempSync(join(tmpdir(), 'pp-sidecar-'));
  const path = join(dir, 'alerts.yaml');
  writeFileSync(path, `sampling: { interval: ${interval}, collectors: { cpu: false, load: false, memory: false, filesystem: false, disk: false, network: false, boot: false } }\nstorage: { path: ":memory:" }\n${yaml}`);
  const loaded = await loadConfigFile(path, { env: {} });
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  const sidecar = await createSidecar(loaded.config, { logger: silentLogger(), sources, staticFacts: facts, configPath: path, env: {}, channelThread: false });
  await sidecar.start({ host: '127.0.0.1', port: 0 });
  t.after(() => sidecar.stop(100));
  for (let i = 0; i < 100 && (await sidecar.app.request('/metrics')).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));
  return sidecar;
}

test('a source registered through the list is served, fed to rules and moves the status of its target', async (t) => {
  const fake: import('./sources/source.ts').ScheduledSource = {
    name: 'service:fake',
    kind: 'service',
    metrics: { probe_incident: { type: 'gauge', help: 'Open incident.', labels: ['service', 'environment'] } },
    schedule: { intervalMs: 3_600_000, timeoutMs: 1000 },
    collect: async () => ({ readings: [{ metric: 'probe_incident', labels: { service: 'fake', environment: 'test' }, value: 3 }], summary: { up: false } }),
  };
  const sidecar = await startWith(t, 'rules: [{ alert: FakeDown, metric: probe_incident, op: ">", threshold: 0, severity: critical }]\n', [fake], '200ms');
  // the own-schedule source settles on its own timer; the next publish (every 200 ms) carries it
  for (let i = 0; i < 200 && !(await (await sidecar.app.request('/metrics')).text()).includes('state="firing"} 1'); i++) await new Promise((r) => setTimeout(r, 20));
  const text = await (await sidecar.app.request('/metrics')).text();
  assert.match(text, /^# HELP probe_incident Open incident\.$/m);
  assert.match(text, /^probe_incident\{service="fake",environment="test"\} 3$/m);
  assert.match(text, /^prodpulse_alerts\{alertname="FakeDown",severity="critical",state="firing"\} 1$/m);
  assert.equal(sidecar.status.get('service', 'fake'), undefined, 'the sidecar only keeps statuses of targets it knows');
  const live = (await (await sidecar.app.request('/metrics/live')).json()) as Record<string, unknown>;
  assert.deepEqual((live.service as Record<string, unknown>)['service:fake'], { up: false });
  assert.equal((live.sources as Record<string, { kind: string }>)['service:fake']?.kind, 'service');
});

test('a reading whose metric no source declares is not served and is reported', async (t) => {
  const sloppy: import('./sources/source.ts').FedSource = { name: 'sloppy', kind: 'heartbeat', fed: true, metrics: {}, read: () => ({ readings: [{ metric: 'undeclared_thing', labels: {}, value: 1 }], summary: {} }) };
  const sidecar = await startWith(t, '', [sloppy]);
  assert.doesNotMatch(await (await sidecar.app.request('/metrics')).text(), /undeclared_thing/);
  assert.deepEqual([...sidecar.metrics.undeclared], ['undeclared_thing']);
});

test('known label sets start at zero: every rule state and every channel outcome exist on the first scrape', async (t) => {
  const sidecar = await startWith(
    t,
    'channels: { hook: { type: webhook, url: "" } }\nrules: [{ alert: Quiet, metric: host_load1, op: ">", threshold: 1e9, severity: warning }]\n',
    [],
  );
  const text = await (await sidecar.app.request('/metrics')).text();
  for (const state of ['pending', 'firing']) assert.match(text, new RegExp(`^prodpulse_alerts\\{alertname="Quiet",severity="warning",state="${state}"\\} 0$`, 'm'));
  for (const outcome of ['delivered', 'retry', 'failed', 'silenced']) assert.match(text, new RegExp(`^prodpulse_notifications_total\\{channel="hook",outcome="${outcome}"\\} 0$`, 'm'));
  assert.match(text, /^prodpulse_status\{kind="host",target="h",status="HEALTHY"\} 1$/m);
});

test('a ping body over the heartbeat limit gets the heartbeat route\'s own 413, whatever its size', async (t) => {
  const sidecar = await startWith(t, 'server: { token: tok }\nheartbeats: [{ service: nightly, interval: 1h }]\n', []);
  for (const size of [20_000, 200_000]) {
    const res = await sidecar.app.request('/heartbeat/nightly', { method: 'POST', headers: { authorization: 'Bearer tok', 'content-length': String(size) }, body: 'x'.repeat(size) });
    assert.equal(res.status, 413, `${size} bytes`);
    assert.match(((await res.json()) as { error: string }).error, /larger than 10240 bytes/, `${size} bytes: the 10 KB limit is named`);
  }
});
