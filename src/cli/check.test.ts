import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCommand } from './check.ts';
import { usageError } from './process.ts';

const capture = () => {
  const out = { stdout: [] as string[], stderr: [] as string[] };
  return { out, io: { stdout: (l: string) => void out.stdout.push(l), stderr: (l: string) => void out.stderr.push(l), env: {} } };
};

test('check: a template label the metric never has is a warning with FILE:LINE:COL; the shipped alerts.yaml is clean', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'prodpulse-check-')), 'alerts.yaml');
  writeFileSync(file, 'rules:\n  - alert: Mem\n    metric: host_memory_used_ratio\n    op: ">"\n    threshold: 90%\n    summary: "{{ labels.mountpoint }} full on {{ labels.instance }}"\n');
  const a = capture();
  assert.equal(await checkCommand([file], a.io), 0, 'a warning does not fail the check');
  assert.equal(a.out.stderr.length, 1);
  assert.match(a.out.stderr[0]!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6:14: rules\\[0\\]\\.summary: warning: \\{\\{ labels\\.mountpoint \\}\\} always renders empty: host_memory_used_ratio never has a "mountpoint" label`));
  assert.match(a.out.stdout[0]!, /: ok: .*; 1 warning$/);

  const shipped = capture();
  assert.equal(await checkCommand([fileURLToPath(new URL('../../alerts.yaml', import.meta.url))], shipped.io), 0);
  assert.deepEqual(shipped.out.stderr, []);
  assert.doesNotMatch(shipped.out.stdout[0]!, /warning/);
});

test('check takes the path as serve does (--config, -c) or positionally; an unknown flag is an error, not a file name', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'prodpulse-check-')), 'alerts.yaml');
  writeFileSync(file, 'rules:\n  - alert: Load\n    metric: host_load1\n    op: ">"\n    threshold: 4\n');
  for (const args of [[file], ['--config', file], ['-c', file], [`--config=${file}`]]) {
    const c = capture();
    assert.equal(await checkCommand(args, c.io), 0, args.join(' '));
    assert.ok(c.out.stdout[0]!.startsWith(`${file}: ok:`), c.out.stdout[0]);
  }
  const wrong = await checkCommand(['--confg', file], capture().io).then(() => undefined, (e: unknown) => e);
  assert.equal(usageError(wrong), "prodpulse: Unknown option '--confg' (node src/main.ts --help lists the commands and flags)");
  assert.equal(usageError(new Error('disk full')), undefined, 'other errors keep their stack');
});
