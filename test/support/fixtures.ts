import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The files from the tools our users come from live beside the repository in ../shared/fixtures (they are not
 * copied in). PRODPULSE_FIXTURES overrides the folder.
 */
export const FIXTURES_DIR = process.env.PRODPULSE_FIXTURES ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures');

export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

/** Skip reason when a fixture is missing locally; throws under CI=true. Use as `test('…', { skip: missingFixture('x.json') }, …)`. */
export function missingFixture(name: string): string | undefined {
  const p = fixturePath(name);
  if (existsSync(p)) return undefined;
  const msg = `fixture ${p} not found (set PRODPULSE_FIXTURES to the shared fixtures folder)`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n!!! SKIPPING: ${msg}\n`);
  return msg;
}
