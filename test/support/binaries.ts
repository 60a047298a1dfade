import { existsSync } from 'node:fs';

/**
 * Skip reason when a real component is missing locally; throws under CI=true, where a missing component is a
 * failure. Use as `test('…', { skip: missingBinary('/usr/bin/promtool', 'prometheus') }, …)`.
 */
export function missingBinary(path: string, debianPackage: string): string | undefined {
  if (existsSync(path)) return undefined;
  const msg = `${path} not found (apt-get install ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n!!! SKIPPING: ${msg}\n`);
  return msg;
}
