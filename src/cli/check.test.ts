import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCommand } from './check.ts';

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
