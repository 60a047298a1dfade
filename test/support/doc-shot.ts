import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a test writes a screenshot the docs show: docs/NAME with PRODPULSE_UPDATE_DOCS=1 (to regenerate the
 * README's pictures), else a temporary directory, so `npm test` does not rewrite tracked files on every run.
 */
export function docShotPath(name: string): string {
  if (process.env.PRODPULSE_UPDATE_DOCS === '1') return fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
  return join(mkdtempSync(join(tmpdir(), 'prodpulse-shot-')), name);
}
