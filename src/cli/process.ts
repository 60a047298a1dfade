import type { Io } from './check.ts';

/** The CLI's standard streams and environment. */
export function processIo(): Io {
  return { stdout: (l) => process.stdout.write(`${l}\n`), stderr: (l) => process.stderr.write(`${l}\n`), env: process.env };
}

/** A wrong flag or argument (node:util parseArgs): the user's mistake, said in one line with where to look, exit 2. */
export function usageError(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  return `prodpulse: ${(err as Error).message.split('. To specify')[0]} (node src/main.ts --help lists the commands and flags)`;
}

/** Sets the exit code from a command's result; a wrong flag prints one line and exits 2; another thrown error prints and exits 1. */
export function runToExit(run: Promise<number>, exitWhenDone = false): void {
  run.then(
    (code) => {
      process.exitCode = code;
      // `serve` has stopped everything it started; exit even if a library left a handle open.
      if (exitWhenDone) setImmediate(() => process.exit(code));
    },
    (err: unknown) => {
      const usage = usageError(err);
      if (usage) {
        process.stderr.write(`${usage}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`prodpulse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
