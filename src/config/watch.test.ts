import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { watchConfigFile } from './watch.ts';

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

test('a write and an editor-style replace (rename over) each trigger one debounced reload; other files do not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-watch-'));
  const file = join(dir, 'alerts.yaml');
  writeFileSync(file, 'a: 1\n');
  let calls = 0;
  const w = watchConfigFile(file, () => calls++, 50);
  try {
    writeFileSync(join(dir, 'other.txt'), 'x');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(calls, 0, 'a change to another file is ignored');

    writeFileSync(file, 'a: 2\n');
    writeFileSync(file, 'a: 3\n');
    await until(() => calls > 0, 2000);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(calls, 1, 'two quick writes are one reload');

    writeFileSync(join(dir, '.alerts.yaml.swp'), 'a: 4\n');
    renameSync(join(dir, '.alerts.yaml.swp'), file);
    await until(() => calls > 1, 2000);
    assert.equal(calls, 2, 'rename over the file reloads');
  } finally {
    w.close();
  }
});
