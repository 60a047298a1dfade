import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../config/schema.ts';
import { exportRulesCommand, type ExportRulesIo, type LoadedConfig } from './export-rules.ts';

function harness(result: LoadedConfig | Error) {
  const out: string[] = [];
  const err: string[] = [];
  const paths: string[] = [];
  const io: ExportRulesIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { PRODPULSE_CONFIG: '/etc/prodpulse/alerts.yaml' },
    loadConfig: async (p) => {
      paths.push(p);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { io, out, err, paths };
}

const config = configSchema.parse({
  rules: [
    { alert: 'HostHighCpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: '90%', for: '2m', summary: 'CPU {{ value | percent }} {{ oops }}' },
    { alert: 'DiskFull', metric: 'host_filesystem_used_ratio', match: { mountpoint: '/' }, op: '>', threshold: 0.85, clear: 0.8 },
  ],
});

test('writes the rule file to stdout; config path from env; template problems are warnings', async () => {
  const h = harness({ ok: true, config });
  assert.equal(await exportRulesCommand(['--group', 'g1', '--interval', '30s'], h.io), 0);
  assert.deepEqual(h.paths, ['/etc/prodpulse/alerts.yaml']);
  assert.equal(h.out.length, 1);
  const file = parse(h.out[0]!) as { groups: { name: string; interval: string; rules: { alert: string }[] }[] };
  assert.equal(file.groups[0]!.name, 'g1');
  assert.equal(file.groups[0]!.interval, '30s');
  assert.deepEqual(file.groups[0]!.rules.map((r) => r.alert), ['HostHighCpu', 'DiskFull']);
  assert.equal(h.err.length, 1);
  assert.match(h.err[0]!, /rules\[0\] \(HostHighCpu\) summary: warning: unknown variable "oops"/);
});

test('--out writes a file; a positional path wins over env', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-export-'));
  try {
    const h = harness({ ok: true, config });
    const file = join(dir, 'rules.yml');
    assert.equal(await exportRulesCommand(['my.yaml', '--out', file], h.io), 0);
    assert.deepEqual(h.paths, ['my.yaml']);
    assert.match(h.out[0]!, /2 rules written/);
    const text = await readFile(file, 'utf8');
    assert.match(text, /alert: DiskFull/);
    assert.ok(text.endsWith('\n'));
    const bad = harness({ ok: true, config });
    assert.equal(await exportRulesCommand(['--out', join(dir, 'missing-dir', 'x.yml')], bad.io), 1);
    assert.match(bad.err.at(-1)!, /cannot write/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('invalid config: exit 1 with the loader errors on stderr', async () => {
  const h = harness({ ok: false, errors: ['alerts.yaml:3:5: rules[0].op: invalid option'] });
  assert.equal(await exportRulesCommand(['alerts.yaml'], h.io), 1);
  assert.deepEqual(h.out, []);
  assert.equal(h.err[0], 'alerts.yaml:3:5: rules[0].op: invalid option');
  const thrown = harness(new Error('ENOENT: no such file'));
  assert.equal(await exportRulesCommand(['nope.yaml'], thrown.io), 1);
  assert.match(thrown.err[0]!, /nope\.yaml: ENOENT/);
  // the config schema rejects this already; the command still guards against a loader that does not
  const parsed = configSchema.parse({ rules: [{ alert: 'A', metric: 'm', op: '>', threshold: 1 }] });
  const badRegex = harness({ ok: true, config: { ...parsed, rules: [{ ...parsed.rules[0]!, match: { a: '=~(' } }] } });
  assert.equal(await exportRulesCommand([], badRegex.io), 1);
  assert.match(badRegex.err[0]!, /rules\[0\] \(A\): match\.a: invalid regular expression/);
});

test('usage errors exit 2; --help exits 0', async () => {
  for (const args of [['--bogus'], ['a.yaml', 'b.yaml'], ['a.yaml', '--config', 'b.yaml'], ['--interval', 'soon'], ['--out']]) {
    const h = harness({ ok: true, config });
    assert.equal(await exportRulesCommand(args, h.io), 2, args.join(' '));
    assert.deepEqual(h.paths, [], 'config not loaded on usage errors');
    assert.match(h.err.join('\n'), /export-rules/);
  }
  const h = harness({ ok: true, config });
  assert.equal(await exportRulesCommand(['-h'], h.io), 0);
  assert.match(h.out[0]!, /Usage: prodpulse export-rules/);
});
