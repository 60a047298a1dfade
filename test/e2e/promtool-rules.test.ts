/**
 * "One threshold file, two engines": the same alerts.yaml rules are exported with `export-rules`, checked with the
 * real `promtool check rules`, and evaluated by Prometheus (`promtool test rules`) and by our RuleEngine over the
 * same input series. The promtool test file's expectations are generated from our engine's firing alerts at every
 * evaluation step, so promtool passes only if Prometheus fires and resolves at the same steps with the same labels
 * and annotations. A deliberately wrong expectation must make promtool fail (the comparison is not vacuous).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { configSchema } from '../../src/config/schema.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { RuleEngine } from '../../src/rules/engine.ts';
import { exportRulesCommand } from '../../src/cli/export-rules.ts';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const missing = !existsSync(PROMTOOL);
const CI = process.env.CI === 'true';
if (missing && !CI) console.warn(`\n!!! ${PROMTOOL} not found: SKIPPING the promtool rule tests (install the Debian "prometheus" package) !!!\n`);
const opts = { skip: missing && !CI ? `${PROMTOOL} not installed` : false };

function run(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const STEP_MS = 60_000;
const STEPS = 10;

const config = configSchema.parse({
  rules: [
    { alert: 'HostHighCpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: '90%', for: '2m', severity: 'critical',
      summary: 'CPU at {{ value | percent }} on {{ labels.instance }}' },
    { alert: 'DiskAlmostFull', metric: 'host_filesystem_used_ratio', match: { mountpoint: '=~/|/data', fstype: '!=tmpfs' }, op: '>', threshold: 0.85,
      labels: { team: 'ops' }, summary: '{{ alert }}: {{ labels.mountpoint }} at {{ value }}',
      description: '{{ labels.fstype }} is {{ value | percent }} full (limit {{ threshold | percent }}, owner {{ labels.team }})' },
    { alert: 'MemoryHigh', metric: 'host_memory_used_ratio', op: '>', threshold: 0.9, clear: 0.8, summary: 'memory {{ value | round 2 }} ({{ severity }})' },
    { alert: 'LoadHigh', metric: 'host_load1', op: '>=', threshold: 4, keep_firing_for: '2m', summary: 'load {{ value }}' },
  ],
});

interface Series { metric: string; labels: Record<string, string>; values: number[] }
const SERIES: Series[] = [
  { metric: 'host_cpu_usage_ratio', labels: { instance: 'a' }, values: [0.5, 0.95, 0.95, 0.95, 0.97, 0.5, 0.5, 0.5, 0.5, 0.5] },
  { metric: 'host_cpu_usage_ratio', labels: { instance: 'b' }, values: [0.95, 0.95, 0.5, 0.95, 0.95, 0.95, 0.99, 0.5, 0.95, 0.95] },
  { metric: 'host_filesystem_used_ratio', labels: { mountpoint: '/', fstype: 'ext4' }, values: [0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9] },
  { metric: 'host_filesystem_used_ratio', labels: { mountpoint: '/data', fstype: 'tmpfs' }, values: Array(STEPS).fill(0.99) },
  { metric: 'host_filesystem_used_ratio', labels: { mountpoint: '/boot', fstype: 'ext4' }, values: Array(STEPS).fill(0.99) },
  { metric: 'host_filesystem_used_ratio', labels: { mountpoint: '/data', fstype: 'xfs' }, values: [0.5, 0.5, 0.5, 0.86, 0.86, 0.86, 0.5, 0.5, 0.5, 0.5] },
  { metric: 'host_memory_used_ratio', labels: {}, values: [0.5, 0.95, 0.85, 0.85, 0.75, 0.85, 0.95, 0.81, 0.8, 0.85] },
  { metric: 'host_load1', labels: {}, values: [5, 1, 1, 1, 4, 1, 4, 1, 1, 1] },
];

interface Firing { labels: Record<string, string>; annotations: Record<string, string> }

/** Runs our engine over the series; returns, per step, the firing alerts by alert name, and all events. */
async function runEngine() {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: config.rules, clock });
  const steps: Map<string, Firing[]>[] = [];
  const events: string[] = [];
  for (let i = 0; i < STEPS; i++) {
    if (i > 0) clock.advance(STEP_MS);
    const readings = SERIES.map((s) => ({ metric: s.metric, labels: s.labels, value: s.values[i]! }));
    for (const e of await engine.evaluate(readings)) events.push(`${i} ${e.kind} ${e.alert}${e.labels.instance ?? e.labels.mountpoint ?? ''}`);
    const byAlert = new Map<string, Firing[]>();
    for (const a of engine.firing()) {
      const list = byAlert.get(a.alert) ?? [];
      list.push({ labels: a.labels, annotations: a.annotations });
      byAlert.set(a.alert, list);
    }
    steps.push(byAlert);
  }
  return { steps, events };
}

const firingSteps = (steps: Map<string, Firing[]>[], alert: string, pick: (f: Firing) => boolean = () => true) =>
  steps.flatMap((m, i) => ((m.get(alert) ?? []).some(pick) ? [i] : []));

function promtoolTest(steps: Map<string, Firing[]>[]) {
  const alertTests = [];
  for (let i = 0; i < steps.length; i++) {
    for (const rule of config.rules) {
      const firing = steps[i]!.get(rule.alert) ?? [];
      alertTests.push({
        eval_time: `${i}m`,
        alertname: rule.alert,
        exp_alerts: firing.map((f) => {
          const { alertname: _drop, ...labels } = f.labels; // promtool adds alertname itself
          return { exp_labels: labels, exp_annotations: f.annotations };
        }),
      });
    }
  }
  const series = SERIES.map((s) => ({
    series: `${s.metric}{${Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`,
    values: s.values.join(' '),
  }));
  return { rule_files: ['rules.yml'], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: series, alert_rule_test: alertTests }] };
}

test('our engine: expected timeline for for, matchers, hysteresis and keep_firing_for', async () => {
  const { steps, events } = await runEngine();
  // for: 2m — instance a holds from step 1, fires at 3, resolves at 5; b restarts its timer at step 2
  assert.deepEqual(firingSteps(steps, 'HostHighCpu', (f) => f.labels.instance === 'a'), [3, 4]);
  assert.deepEqual(firingSteps(steps, 'HostHighCpu', (f) => f.labels.instance === 'b'), [5, 6]);
  // matchers: only / (ext4) and /data (xfs) fire; tmpfs and /boot never do
  assert.deepEqual(firingSteps(steps, 'DiskAlmostFull', (f) => f.labels.mountpoint === '/'), [0, 1, 2, 3, 6, 7, 8, 9]);
  assert.deepEqual(firingSteps(steps, 'DiskAlmostFull', (f) => f.labels.mountpoint === '/data'), [3, 4, 5]);
  assert.ok(steps.every((m) => (m.get('DiskAlmostFull') ?? []).every((f) => f.labels.fstype !== 'tmpfs' && f.labels.mountpoint !== '/boot')));
  // hysteresis: fires at 0.95, stays firing at 0.85, resolves at 0.75; again at 0.95, stays at 0.81, resolves at 0.8
  assert.deepEqual(firingSteps(steps, 'MemoryHigh'), [1, 2, 3, 6, 7]);
  // keep_firing_for 2m: false from step 1, resolved at step 3; the blips at 4 and 6 merge into one alert
  // that resolves 2m after it last held (step 9)
  assert.deepEqual(firingSteps(steps, 'LoadHigh'), [0, 1, 2, 4, 5, 6, 7, 8]);
  assert.deepEqual(steps[8]!.get('LoadHigh')![0]!.annotations, { summary: 'load 4' }, 'frozen while only kept firing');
  assert.equal(events.filter((e) => e.endsWith('LoadHigh')).length, 4, events.join('\n'));
  const disk = steps[3]!.get('DiskAlmostFull')!.find((f) => f.labels.mountpoint === '/data')!;
  assert.deepEqual(disk.annotations, { summary: 'DiskAlmostFull: /data at 0.86', description: 'xfs is 86% full (limit 85%, owner ops)' });
});

test('promtool check rules accepts the export-rules output', opts, async () => {
  if (missing) assert.fail(`${PROMTOOL} is missing and CI=true`);
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-promtool-'));
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await exportRulesCommand(['alerts.yaml', '--out', join(dir, 'rules.yml'), '--interval', '1m'], {
      stdout: (t) => out.push(t), stderr: (t) => err.push(t), loadConfig: async () => ({ ok: true, config }),
    });
    assert.equal(code, 0, err.join('\n'));
    const res = await run(['check', 'rules', 'rules.yml'], dir);
    assert.equal(res.code, 0, res.output);
    assert.match(res.output, /SUCCESS: 4 rules found/);
    assert.match(await readFile(join(dir, 'rules.yml'), 'utf8'), /keep_firing_for: 2m/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('promtool test rules: Prometheus fires and resolves at the same steps as our engine', opts, async () => {
  if (missing) assert.fail(`${PROMTOOL} is missing and CI=true`);
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-promtool-'));
  try {
    const code = await exportRulesCommand(['--out', join(dir, 'rules.yml')], {
      stdout: () => {}, stderr: () => {}, loadConfig: async () => ({ ok: true, config }),
    });
    assert.equal(code, 0);
    const { steps } = await runEngine();
    await writeFile(join(dir, 'test.yml'), stringify(promtoolTest(steps), { lineWidth: 0 }));
    const res = await run(['test', 'rules', 'test.yml'], dir);
    assert.equal(res.code, 0, `promtool disagrees with the RuleEngine:\n${res.output}`);
    assert.match(res.output, /SUCCESS/);

    // not vacuous: claiming MemoryHigh resolved in the hysteresis band (step 2) must fail in Prometheus too
    const wrong = steps.map((m) => new Map(m));
    wrong[2]!.delete('MemoryHigh');
    await writeFile(join(dir, 'wrong.yml'), stringify(promtoolTest(wrong), { lineWidth: 0 }));
    const bad = await run(['test', 'rules', 'wrong.yml'], dir);
    assert.notEqual(bad.code, 0, bad.output);
    assert.match(bad.output, /MemoryHigh/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
