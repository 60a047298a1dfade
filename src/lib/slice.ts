/**
 * Cooperative time slicing for work that runs on the thread that also serves HTTP.
 *
 * Long synchronous work (evaluating thousands of alerts, writing their notification records, formatting a
 * message that carries them) is written as a generator that `yield`s between small steps. `runSliced` runs it
 * and gives the event loop a turn whenever the current slice has used its budget, so a scrape waits at most one
 * slice; `runToEnd` runs the same generator in one go (unit tests, CLI commands, shutdown).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** A step-wise task: yields between steps, returns its result. */
export type Steps<T> = Generator<void, T, void>;

export interface Slicer {
  /** true once the current slice has used its budget */
  due(): boolean;
  /** gives the event loop a turn (timers, I/O, setImmediate callbacks queued before it), then starts a new slice */
  pause(): Promise<void>;
}

/** Default budget: short enough that a scrape arriving during a burst still sees a low-millisecond reply. */
export const DEFAULT_SLICE_MS = 2;

export function createSlicer(budgetMs = DEFAULT_SLICE_MS, now: () => number = () => performance.now()): Slicer {
  let deadline = now() + budgetMs;
  return {
    due: () => now() >= deadline,
    async pause() {
      await nextTurn();
      deadline = now() + budgetMs;
    },
  };
}

/** Runs the steps, pausing whenever the slicer says the slice is spent. */
export async function runSliced<T>(steps: Steps<T>, slicer: Slicer): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (slicer.due()) await slicer.pause();
  }
}

/** Runs the steps without pausing. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** `items.map(fn)` in slices, for formatting large messages on the serving thread (see the file header). */
export async function mapSliced<T, R>(items: readonly T[], fn: (item: T) => R, slicer: Slicer = createSlicer()): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i]!);
    if (slicer.due()) await slicer.pause();
  }
  return out;
}
