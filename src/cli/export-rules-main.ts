import { loadConfig } from '../wiring/config.ts';
import type { Io } from './check.ts';
import { exportRulesCommand } from './export-rules.ts';

/** `export-rules` with the real config loader and file system. */
export function exportRulesMain(args: string[], io: Io): Promise<number> {
  return exportRulesCommand(args, { stdout: io.stdout, stderr: io.stderr, env: io.env, loadConfig: (path) => loadConfig(path, { env: io.env }) });
}
