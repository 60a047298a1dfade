import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from './load.ts';
import { heartbeatPolicy, resolveHeartbeatJobs } from './heartbeats.ts';

const ALERTS_YAML = join(dirname(fileURLToPath(import.meta.url)), '../../alerts.yaml');

function load(text: string) {
  return parseConfigText(text, 'alerts.yaml', { env: {} });
}

test('jobs take defaults.heartbeats for what they leave out; the issue\'s defaults otherwise', () => {
  const r = load(`
defaults:
  heartbeats:
    interval: 5m
    tolerance: 30s
    environment: staging
    labels: { team: ops }
heartbeats:
  - service: nightly-backup
    interval: 1d
    allowed_misses: 1
    run_timeout: 3h
    labels: { tier: storage }
    token: secret-token
  - service: worker_2
`);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\\n'));
  const jobs = resolveHeartbeatJobs(r.config.heartbeats, r.config.defaults.heartbeats);
  assert.deepEqual(jobs[0], {
    service: 'nightly-backup',
    intervalMs: 86_400_000,
    allowedMisses: 1,
    toleranceMs: 30_000,
    failThreshold: 1,
    runTimeoutMs: 3 * 3_600_000,
    environment: 'staging',
    labels: { team: 'ops', tier: 'storage' },
    token: 'secret-token',
    autoRegistered: false,
  });
  assert.deepEqual(
    { ...jobs[1], labels: undefined },
    { service: 'worker_2', intervalMs: 300_000, allowedMisses: 3, toleranceMs: 30_000, failThreshold: 1, runTimeoutMs: undefined, environment: 'staging', labels: undefined, token: undefined, autoRegistered: false },
  );
  assert.deepEqual(heartbeatPolicy(r.config.defaults.heartbeats), { autoRegister: { enabled: false, max: 100, forgetAfterMs: 7 * 86_400_000 }, pushedStaleAfterMisses: 1 });
});

test('a config without heartbeats is valid and has none', () => {
  const r = load('rules: []\n');
  assert.ok(r.ok);
  assert.deepEqual(r.config.heartbeats, []);
  assert.equal(r.config.defaults.heartbeats.allowed_misses, 3);
  assert.equal(r.config.defaults.heartbeats.auto_register.enabled, false);
});

test('errors name FILE:LINE:COL and the field: bad name, duplicate, interval out of range, unknown key', () => {
  const r = load(`heartbeats:
  - service: Nightly.Backup
    interval: 1d
  - service: ok-job
    interval: 500ms
  - service: ok-job
    interval: 1m
    allowed_misses: 0
  - service: other
    interval: 1m
    grace: 5m
defaults:
  heartbeats:
    auto_register: { enabled: true, max: 0 }
`);
  assert.equal(r.ok, false);
  const errors = r.ok ? [] : r.errors;
  const has = (re: RegExp) => assert.ok(errors.some((e) => re.test(e)), `${re} in\n${errors.join('\n')}`);
  has(/^alerts\.yaml:2:\d+: heartbeats\[0\]\.service: service names use lower-case letters/);
  has(/^alerts\.yaml:5:\d+: heartbeats\[1\]\.interval: interval must be between 1s and 366d/);
  has(/^alerts\.yaml:8:\d+: heartbeats\[2\]\.allowed_misses:/);
  has(/^alerts\.yaml:6:\d+: heartbeats\[2\]\.service: duplicate heartbeat service "ok-job"/);
  has(/^alerts\.yaml:11:\d+: heartbeats\[3\]\.grace: unknown key/);
  has(/^alerts\.yaml:14:\d+: defaults\.heartbeats\.auto_register\.max:/);
});

test('duplicate service names are an error on the second one', () => {
  const r = load(`heartbeats:
  - { service: a, interval: 1m }
  - { service: a, interval: 2m }
`);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.errors.join('\n'), /^alerts\.yaml:3:\d+: heartbeats\[1\]\.service: duplicate heartbeat service "a"/m);
});

test('the commented heartbeats: example in the shipped alerts.yaml is valid once uncommented', () => {
  const text = readFileSync(ALERTS_YAML, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('heartbeats: []'));
  assert.ok(start > 0);
  const out = [...lines.slice(0, start), 'heartbeats:'];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('#  ')) break;
    out.push(l.slice(1));
  }
  // the defaults example, uncommented too
  const uncommented = out.join('\n').replace(/^  # heartbeats: .*\n((?:  #   .*\n)+)/m, (block) =>
    block.replace(/^  # /gm, '  ').replace(/^  {3}# .*$/gm, '').replace(/ {2,}#(?! ).*$/gm, ''),
  );
  const r = load(uncommented);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.deepEqual(r.config.heartbeats.map((j) => j.service), ['nightly-backup', 'queue-worker', 'checkout-api']);
  const api = resolveHeartbeatJobs(r.config.heartbeats, r.config.defaults.heartbeats).find((j) => j.service === 'checkout-api')!;
  assert.equal(api.intervalMs, 1000);
  assert.equal(api.allowedMisses, 5);
  assert.equal(r.config.defaults.heartbeats.interval, 60_000);
});
