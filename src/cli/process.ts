import type { Io } from './check.ts';

/** The CLI's standard streams and environment. */
export function processIo(): Io {
  return { stdout: (l) => process.stdout.write(`${l}\n`), stderr: (l) => process.stderr.write(`${l}\n`), env: process.env };
}

/** Sets the exit code from a command's result; a thrown error prints and exits 1. */
export function runToExit(run: Promise<number>, exitWhenDone = false): void {
  run.then(
    (code) => {
      process.exitCode = code;
      // `serve` has stopped everything it started; exit even if a library left a handle open.
      if (exitWhenDone) setImmediate(() => process.exit(code));
    },
    (err: unknown) => {
      process.stderr.write(`prodpulse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
