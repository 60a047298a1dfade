import { summarizeConfig } from '../config/load.ts';
import { loadConfig } from '../wiring/config.ts';
import { parseCommandArgs, resolveConfigPath } from './args.ts';

export interface Io {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
}

/** `check [PATH | --config PATH]` (serve's flag works too): validates alerts.yaml; prints FILE:LINE:COL errors and exits 1, or warnings (stderr) and a summary and exits 0. */
export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { config: { type: 'string', short: 'c' } });
  const path = resolveConfigPath((values.config as string | undefined) ?? positionals[0], io.env);
  const result = await loadConfig(path, { env: io.env });
  if (!result.ok) {
    for (const e of result.errors) io.stderr(e);
    io.stderr(`${path}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`);
    return 1;
  }
  for (const w of result.warnings) io.stderr(w);
  const n = result.warnings.length;
  io.stdout(`${path}: ok: ${summarizeConfig(result.config)}${n ? `; ${n} warning${n === 1 ? '' : 's'}` : ''}`);
  return 0;
}
