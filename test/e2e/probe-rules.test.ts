/**
 * Probes through the rule engine and through Prometheus: a real loopback target answers fail×3, ok, fail×3 to the
 * real prober; the service source's readings at each check drive our RuleEngine with the shipped alerts.yaml, and
 * the same series (with staleness where a series disappears, as a scrape would mark it) drive `promtool test
 * rules` on the export-rules output. Both must open ServiceDown at checks 3 and 7 with the same labels and summary,
 * and resolve it at check 4: one notification per incident and one per recovery.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { exportRulesCommand } from '../../src/cli/export-rules.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { ProbeStates } from '../../src/probes/incident.ts';
import { Limiter } from '../../src/probes/limiter.ts';
import { createServiceSource } from '../../src/probes/source.ts';
import { RuleEngine } from '../../src/rules/engine.ts';
import type { Reading } from '../../src/snapshot/snapshot.ts';
import { missingBinary } from '../support/binaries.ts';
import { OK, probeTargetForFile, testService, type TargetMode } from '../support/probe-target.ts';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const FAIL: TargetMode = { kind: 'json', status: 500, version: '2.1.0' };
const SEQUENCE = [FAIL, FAIL, FAIL, OK, FAIL, FAIL, FAIL];

const kit = probeTargetForFile();
const { agents } = kit;

async function shippedConfig() {
  const loaded = await loadConfigFile('alerts.yaml', { env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  return loaded.config;
}

/** The readings of each check of the sequence. */
async function probeSequence(): Promise<Reading[][]> {
  const source = createServiceSource(testService(`${kit.target.origin}/health`), {
    states: new ProbeStates(),
    limiter: new Limiter(),
    agents,
    now: Date.now,
    logger: silentLogger(),
    onResult: () => {},
  });
  const out: Reading[][] = [];
  for (const mode of SEQUENCE) {
    kit.target.queue(mode);
    out.push((await source.collect(new AbortController().signal)).readings);
  }
  return out;
}

let checks: Reading[][];
test('the rule engine: ServiceDown fires at checks 3 and 7 and resolves at check 4', async () => {
  const config = await shippedConfig();
  checks = await probeSequence();
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: config.rules.filter((r) => r.metric.startsWith('probe_')), clock });
  const events: string[] = [];
  for (const [i, readings] of checks.entries()) {
    if (i > 0) clock.advance(60_000);
    for (const e of await engine.evaluate(readings)) events.push(`${i + 1} ${e.kind} ${e.alert}: ${e.summary}`);
  }
  assert.deepEqual(events, [
    '3 firing ServiceDown: CRITICAL INCIDENT: payments failed 3 consecutive checks (status: HTTP 500)',
    '4 resolved ServiceDown: CRITICAL INCIDENT: payments failed 3 consecutive checks (status: HTTP 500)',
    '7 firing ServiceDown: CRITICAL INCIDENT: payments failed 3 consecutive checks (status: HTTP 500)',
  ]);
});

test('promtool test rules: Prometheus fires ServiceDown at the same checks', { skip: missingBinary(PROMTOOL, 'prometheus') }, async () => {
  const config = await shippedConfig();
  checks ??= await probeSequence();
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-probe-rules-'));
  try {
    const code = await exportRulesCommand(['--out', join(dir, 'rules.yml'), '--interval', '1m'], {
      stdout: () => {},
      stderr: () => {},
      loadConfig: async () => ({ ok: true, config }),
    });
    assert.equal(code, 0);
    // one input series per label set of probe_incident; a label set absent at a check is stale there (a scrape
    // marks a vanished series stale), then missing
    const key = (r: Reading) => JSON.stringify(Object.entries(r.labels).sort());
    const sets = new Map<string, Reading>();
    for (const c of checks) for (const r of c) if (r.metric === 'probe_incident') sets.set(key(r), r);
    const series = [...sets.entries()].map(([k, r]) => {
      let seen = false;
      const values = checks.map((c) => {
        const here = c.find((x) => x.metric === 'probe_incident' && key(x) === k);
        if (here) return ((seen = true), String(here.value));
        if (seen) return ((seen = false), 'stale');
        return '_';
      });
      return { series: `probe_incident{${Object.entries(r.labels).map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(',')}}`, values: values.join(' ') };
    });
    const firing = {
      exp_labels: { severity: 'critical', service: 'payments', environment: 'production', reason: 'status', detail: 'HTTP 500' },
      exp_annotations: {
        summary: 'CRITICAL INCIDENT: payments failed 3 consecutive checks (status: HTTP 500)',
        description: 'payments (production) has failed every check since the incident opened.',
      },
    };
    const expectAt = (wrong: boolean) =>
      SEQUENCE.map((_m, i) => ({ eval_time: `${i}m`, alertname: 'ServiceDown', exp_alerts: (i === 2 || i === 6) !== (wrong && i === 3) ? [firing] : [] }));
    const file = (wrong: boolean) => ({
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: series, alert_rule_test: expectAt(wrong) }],
    });
    await writeFile(join(dir, 'ok.yml'), stringify(file(false), { lineWidth: 0 }));
    const res = await run(['test', 'rules', 'ok.yml'], dir);
    assert.equal(res.code, 0, `${res.output}\n${JSON.stringify(series)}`);
    // not vacuous: claiming the incident still firing after the recovery fails
    await writeFile(join(dir, 'wrong.yml'), stringify(file(true), { lineWidth: 0 }));
    assert.notEqual((await run(['test', 'rules', 'wrong.yml'], dir)).code, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function run(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}
