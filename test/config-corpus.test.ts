/**
 * The broken-config corpus (test/config-corpus/*.yaml): every file must be refused, and the first error must
 * name FILE:LINE:COL on the expected line, the expected field path (when the table gives one) and contain the
 * expected words. The table is test/config-corpus/cases.json: add a file and a row to extend it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigFile } from '../src/config/load.ts';
import { CORPUS, corpusPath } from './support/config-corpus.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test(`the broken-config corpus: ${CORPUS.length} files, each refused with its line and field`, async () => {
  assert.ok(CORPUS.length >= 60);
  const failures: string[] = [];
  for (const c of CORPUS) {
    const path = corpusPath(c);
    const r = await loadConfigFile(path, { env: {} });
    if (r.ok) {
      failures.push(`${c.file}: accepted`);
      continue;
    }
    const first = r.errors[0]!;
    const re = new RegExp(`^${escape(path)}:${c.line}:\\d+: ${c.field === null ? '' : `${escape(c.field)}: `}`);
    if (!re.test(first)) failures.push(`${c.file}: expected line ${c.line} field ${c.field}, got: ${first.slice(0, 300)}`);
    else if (!first.includes(c.message)) failures.push(`${c.file}: expected "${c.message}" in: ${first.slice(0, 300)}`);
    if (first.includes('\n    at ')) failures.push(`${c.file}: a stack trace in the message`);
  }
  assert.deepEqual(failures, []);
});
