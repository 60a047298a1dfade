/**
 * Runs an analysis of a JSON body for the HTTP route without stalling the thread that serves /metrics: small
 * bodies inline (a few milliseconds), larger ones on a worker thread (the bytes are transferred, not copied).
 */
import { Worker } from 'node:worker_threads';
import { analyzeJson, type AnalyzeOptions, type AnalyzeResult } from './analyze.ts';
import { JsonInputError, NotAnArrayError } from './json-events.ts';

/** Bodies up to this size are analyzed on the calling thread (~4 000 events, a few ms). */
export const INLINE_MAX_BYTES = 256 * 1024;
/**
 * Alerts an inline analysis may list: a small body can still describe a long silence at a short interval (two
 * events ten years apart at 1 s: 100 000 alerts listed, ~1 s of work), so one that finds more is run again on a
 * worker thread.
 */
export const INLINE_MAX_ALERTS = 2_000;

/** The input could not be analyzed: invalid JSON, not an array, or bad options (a 400 for the route). */
export class AnalyzeInputError extends Error {
  readonly kind: 'json' | 'not_array' | 'options';
  constructor(kind: 'json' | 'not_array' | 'options', message: string) {
    super(message);
    this.name = 'AnalyzeInputError';
    this.kind = kind;
  }
}

export type AnalyzeRunner = (bytes: Uint8Array, options: Omit<AnalyzeOptions, 'now'>) => Promise<AnalyzeResult>;

const WORKER_URL = new URL('./analyze-worker.ts', import.meta.url);

/** Inline below `inlineMaxBytes` unless it finds more than INLINE_MAX_ALERTS alerts, else on a fresh worker thread. Throws AnalyzeInputError for bad input. */
export function createAnalyzeRunner(inlineMaxBytes = INLINE_MAX_BYTES): AnalyzeRunner {
  return async (bytes, options) => {
    if (bytes.byteLength <= inlineMaxBytes) {
      try {
        const wanted = options.maxAlerts ?? Infinity;
        const inline = analyzeJson(bytes, { ...options, maxAlerts: Math.min(wanted, INLINE_MAX_ALERTS) });
        if (inline.alerts_total <= INLINE_MAX_ALERTS || wanted <= INLINE_MAX_ALERTS) return inline;
      } catch (err) {
        if (err instanceof JsonInputError) throw new AnalyzeInputError('json', err.message);
        if (err instanceof NotAnArrayError) throw new AnalyzeInputError('not_array', err.message);
        if (err instanceof RangeError) throw new AnalyzeInputError('options', err.message);
        throw err;
      }
    }
    // a standalone ArrayBuffer holding exactly the body, so it can be transferred
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : bytes.slice().buffer;
    return new Promise<AnalyzeResult>((resolve, reject) => {
      const worker = new Worker(WORKER_URL, { workerData: { bytes: own, options }, transferList: [own] });
      let settled = false;
      worker.once('message', (m: { ok: true; result: AnalyzeResult } | { ok: false; kind: string; message: string }) => {
        settled = true;
        if (m.ok) resolve(m.result);
        else if (m.kind === 'json' || m.kind === 'not_array' || m.kind === 'options') reject(new AnalyzeInputError(m.kind, m.message));
        else reject(new Error(`analysis failed: ${m.message}`));
        void worker.terminate();
      });
      worker.once('error', (err) => {
        if (!settled) reject(err);
        settled = true;
      });
      worker.once('exit', (code) => {
        if (!settled) reject(new Error(`analysis worker exited with code ${code}`));
        settled = true;
      });
    });
  };
}
