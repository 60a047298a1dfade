/** The broken-config corpus (test/config-corpus/): its table and how to get a loadable path for each case. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CorpusCase {
  file: string;
  class: string;
  line: number;
  /** formatted field path (e.g. rules[0].match.device), "(root)", or null for YAML syntax errors */
  field: string | null;
  message: string;
}

export const CORPUS_DIR = new URL('../config-corpus/', import.meta.url).pathname;
export const CORPUS: CorpusCase[] = JSON.parse(readFileSync(join(CORPUS_DIR, 'cases.json'), 'utf8')) as CorpusCase[];

/** The path to load for a case: corpus files as they are; generated ones written to a temp dir. */
export function corpusPath(c: CorpusCase): string {
  if (!c.file.startsWith('(generated)')) return join(CORPUS_DIR, c.file);
  const dir = mkdtempSync(join(tmpdir(), 'pp-corpus-'));
  const path = join(dir, 'huge.yaml');
  writeFileSync(path, `rules:\n${'  - { alert: A, metric: host_load1, op: ">", threshold: 1 }\n'.repeat(20_000)}`);
  return path;
}

