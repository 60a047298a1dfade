import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfigText, SHIPPED_CONFIG_PATH } from '../config/load.ts';
import { parse } from 'yaml';
import { readFile } from 'node:fs/promises';
import { demoConfig } from './config.ts';

const input = (env: Record<string, string | undefined>) => ({
  dir: '/tmp/x',
  token: 'tok',
  services: ['auth', 'payment'],
  dependencies: [{ name: 'inventory-api', url: 'http://127.0.0.1:1', version: '1.4.2' }],
  terminalUrl: 'http://127.0.0.1:2/alerts',
  env,
  degradedLatency: '250ms',
});

test('the demo config: valid, the shipped rules (ServiceSlow shortened), 1 s jobs DOWN after 5 misses, probed dependencies, the terminal channel', async () => {
  const cfg = await demoConfig(input({}));
  const loaded = parseConfigText(cfg.text, 'demo.yaml', { env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  const c = loaded.config;
  assert.equal(c.sampling.interval, 1000);
  const shipped = (parse(await readFile(SHIPPED_CONFIG_PATH, 'utf8')) as { rules: { alert: string }[] }).rules.map((r) => r.alert);
  assert.deepEqual(c.rules.map((r) => r.alert), shipped);
  assert.equal(c.rules.find((r) => r.alert === 'ServiceSlow')?.for, 3000, 'ServiceSlow waits 3 s, not the shipped minute');
  assert.equal(c.rules.find((r) => r.alert === 'HostHighCpu')?.for, 300_000, 'the other rules as shipped');
  for (const name of ['HIGH_CPU', 'HIGH_ERROR_RATE', 'SERVICE_DOWN', 'VersionDrift', 'ServiceSlow', 'ServiceDown']) assert.ok(shipped.includes(name), name);
  assert.deepEqual(c.heartbeats.map((h) => [h.service, h.interval, h.allowed_misses, h.tolerance]), [['auth', 1000, 5, 250], ['payment', 1000, 5, 250]]);
  assert.equal(c.services.length, 1);
  assert.deepEqual(Object.keys(c.channels), ['terminal']);
  assert.deepEqual(cfg.channels, ['terminal']);
  assert.equal(cfg.terminal, true);
});

test('a real channel set in the environment: the shipped channels instead of the terminal', async () => {
  const cfg = await demoConfig(input({ SLACK_BOT_TOKEN: 'xoxb-1' }));
  assert.equal(cfg.terminal, false);
  assert.deepEqual(cfg.channels, ['team-slack', 'oncall-email', 'webhook', 'alertmanager']);
  const loaded = parseConfigText(cfg.text, 'demo.yaml', { env: { SLACK_BOT_TOKEN: 'xoxb-1' } });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  assert.ok(!cfg.text.includes('xoxb-1'), 'secrets stay ${VAR} references in the written file');
});

test('the shipped rules are read from the given file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'demo-cfg-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'alerts.yaml');
  await writeFile(path, (await readFile(SHIPPED_CONFIG_PATH, 'utf8')).replace('alert: HIGH_CPU', 'alert: HIGH_CPU_X'));
  const cfg = await demoConfig(input({}), path);
  assert.ok(cfg.text.includes('alert: HIGH_CPU_X'));
});
