import type { Collector } from '../collectors/collector.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Reading, Section, Snapshot } from './snapshot.ts';

export interface SchedulerOptions {
  collectors: readonly Collector[];
  intervalMs: number;
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** called with every finished snapshot, in order; errors it throws are logged, never stop sampling */
  onSnapshot: (snapshot: Snapshot) => void | Promise<void>;
}

/**
 * Runs every collector once per interval, each under its own timeout, all in parallel (Promise.allSettled).
 * A collector that throws or hangs becomes a failed section; the others' readings still publish. A collector
 * whose previous call has not returned yet is not called again: it fails fast with "still running" instead of
 * piling up work.
 */
export class Scheduler {
  readonly #opts: SchedulerOptions;
  readonly #inFlight = new Set<string>();
  /** metric names each collector produced in its last successful cycle */
  readonly #lastMetrics = new Map<string, Set<string>>();
  #timer: unknown;
  #running = false;
  #cycle: Promise<void> | undefined;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
  }

  /** Takes the first sample at once, then one every interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.#opts.clock.clearTimeout(this.#timer);
    await this.#cycle;
  }

  /** One sampling cycle; exposed for tests and for `runOnce` callers. */
  async sampleOnce(): Promise<Snapshot> {
    const { collectors, clock, timeoutMs } = this.#opts;
    const takenAt = clock.now();
    const started = performance.now();
    const results = await Promise.all(collectors.map((c) => this.#runCollector(c, timeoutMs)));
    const sections: Record<string, Section> = {};
    const readings: Reading[] = [];
    const unavailable = new Set<string>();
    collectors.forEach((c, i) => {
      const r = results[i]!;
      sections[c.name] = r.section;
      if (r.readings) {
        for (const reading of r.readings) readings.push(reading);
        this.#lastMetrics.set(c.name, new Set(r.readings.map((x) => x.metric)));
      } else for (const m of this.#lastMetrics.get(c.name) ?? []) unavailable.add(m);
    });
    return { takenAt, durationMs: performance.now() - started, sections, readings, unavailable };
  }

  #tick(): void {
    if (!this.#running) return;
    const startedAt = this.#opts.clock.now();
    this.#cycle = this.sampleOnce()
      .then((snap) => this.#opts.onSnapshot(snap))
      .catch((err: unknown) => this.#opts.logger.error({ err }, 'publishing a snapshot failed'))
      .finally(() => {
        if (!this.#running) return;
        const elapsed = this.#opts.clock.now() - startedAt;
        this.#timer = this.#opts.clock.setTimeout(() => this.#tick(), Math.max(0, this.#opts.intervalMs - elapsed));
      });
  }

  async #runCollector(c: Collector, timeoutMs: number): Promise<{ section: Section; readings?: Reading[] }> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    if (this.#inFlight.has(c.name)) {
      return { section: { ok: false, durationMs: 0, error: 'previous collection is still running' } };
    }
    this.#inFlight.add(c.name);
    const controller = new AbortController();
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.#opts.clock.setTimeout(() => {
        controller.abort();
        reject(new Error(`timed out after ${timeoutMs}ms`));
      }, timeoutMs);
    });
    const work = Promise.resolve().then(() => c.collect(controller.signal));
    // the in-flight mark clears when the collector really returns, not when we stop waiting for it
    work.then(
      () => this.#inFlight.delete(c.name),
      () => this.#inFlight.delete(c.name),
    );
    try {
      const out = await Promise.race([work, timeout]);
      return { section: { ok: true, durationMs: elapsed(), summary: out.summary }, readings: out.readings };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#opts.logger.warn({ collector: c.name, error: message }, 'collector failed');
      return { section: { ok: false, durationMs: elapsed(), error: message } };
    } finally {
      this.#opts.clock.clearTimeout(timer);
    }
  }
}
