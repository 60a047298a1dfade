/** Worker-thread entry for analyze-runner.ts: analyzes the transferred bytes and posts the result back. */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeJson, type AnalyzeOptions } from './analyze.ts';
import { JsonInputError, NotAnArrayError } from './json-events.ts';

const { bytes, options } = workerData as { bytes: ArrayBuffer; options: AnalyzeOptions };
try {
  parentPort!.postMessage({ ok: true, result: analyzeJson(new Uint8Array(bytes), options) });
} catch (err) {
  const kind = err instanceof JsonInputError ? 'json' : err instanceof NotAnArrayError ? 'not_array' : err instanceof RangeError ? 'options' : 'internal';
  parentPort!.postMessage({ ok: false, kind, message: (err as Error).message });
}
