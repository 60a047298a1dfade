/**
 * Cooperative time slicing for work that runs on the thread that also serves HTTP.
 *
 * ONE idiom: long work is a plain async function that takes a `Pacer` and, at each point where it may give way,
 *
 *     if (pacer.due()) await pacer.yield();
 *
 * `due()` is a clock read (no await: an `await` on every step would cost a microtask per step even while the slice
 * has budget); `yield()` gives the event loop a turn and starts a new slice, so a scrape waits at most one slice.
 * There are no synchronous twins: tests, CLI commands and shutdown run the same function with `neverDue`, which
 * never yields, and await it. With `neverDue` the work never waits for a turn of the event loop: a leaf function
 * (no nested await) has done all its work when the call returns; one that awaits another paced function finishes
 * within the same microtask queue drain (no timer, I/O or setImmediate callback runs in between).
 *
 * Paced functions must not overlap on shared state: their callers serialise them (the scheduler awaits each
 * evaluation; Alerting.applyConfig waits for one in flight).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface Pacer {
  /** true once the current slice has used its budget */
  due(): boolean;
  /** gives the event loop a turn (timers, I/O, setImmediate callbacks queued before it), then starts a new slice */
  yield(): Promise<void>;
}

/**
 * Default budget: short enough that a scrape arriving during a burst still sees a low-millisecond reply. 1 ms, as
 * the exposition uses: wrk's p99 reads the share of time the loop is held, and a step that starts just before the
 * deadline runs past it, so 2 ms slices showed up as 3–4 ms waits (bench/README.md, perf-metrics section).
 */
export const DEFAULT_SLICE_MS = 1;

/** A pacer whose first slice starts now; create one per piece of work (a slice's budget starts at creation). */
export function createPacer(budgetMs = DEFAULT_SLICE_MS, now: () => number = () => performance.now()): Pacer {
  let deadline = now() + budgetMs;
  return {
    due: () => now() >= deadline,
    async yield() {
      await nextTurn();
      deadline = now() + budgetMs;
    },
  };
}

/** Never due: the work runs in one go (unit tests, CLI commands, shutdown). */
export const neverDue: Pacer = Object.freeze({
  due: () => false,
  yield: () => Promise.resolve(),
});

/** `items.map(fn)`, pacing after each item (for formatting large messages on the serving thread). */
export async function mapPaced<T, R>(items: readonly T[], fn: (item: T) => R, pacer: Pacer = createPacer()): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i]!);
    if (pacer.due()) await pacer.yield();
  }
  return out;
}
