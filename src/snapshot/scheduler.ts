import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { isFed, type FedSource, type Reading, type ScheduledSource, type Source } from '../sources/source.ts';
import type { Section, Snapshot } from './snapshot.ts';

export interface SchedulerOptions {
  sources: readonly Source[];
  /** the sampling interval: one host round and one publish per interval */
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  /** called with every snapshot, in order, and awaited before the next round is scheduled; errors are logged */
  onSnapshot: (snapshot: Snapshot) => void | Promise<void>;
}

/** Up to this many own-schedule sources starting together all run at once; more are spread over their interval. */
export const SPREAD_ABOVE = 16;
/** ... in at most this many evenly spaced groups per interval */
export const SPREAD_SLOTS = 50;

/** The latest settled run of one scheduled source. */
interface Latest {
  section: Section;
  /** readings of the last successful run; undefined after a failed one */
  readings: Reading[] | undefined;
  /** metric names of the last successful run */
  metrics: Set<string>;
}

/**
 * Runs every source on its own schedule and publishes the latest settled section of each.
 *
 * - Host sources (kind 'host') form the round: all run in parallel once per sampling interval, each under its
 *   own timeout; the snapshot publishes when the round settles. A host source whose previous run has not
 *   returned is not called again: it fails fast with "still running".
 * - Every other scheduled source (one HTTP probe per service, …) runs on its own timer with its own interval
 *   and timeout, never awaited by the round: a hung target only ages its own section. When more than
 *   SPREAD_ABOVE of them start together, their first runs are spread evenly over the interval (phase offsets, in
 *   up to SPREAD_SLOTS groups), so their results never arrive all at once.
 * - Fed sources (heartbeats) are read at every publish.
 */
export class Scheduler {
  readonly #opts: SchedulerOptions;
  #sources: Source[];
  readonly #inFlight = new Set<string>();
  readonly #latest = new Map<string, Latest>();
  /** timers of the sources that run on their own schedule, by source name */
  readonly #loops = new Map<string, { source: ScheduledSource; timer: unknown }>();
  #timer: unknown;
  #running = false;
  #cycle: Promise<void> | undefined;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#sources = [...opts.sources];
  }

  get sources(): readonly Source[] {
    return this.#sources;
  }

  /** Takes the first round at once, then one every interval; own-schedule sources start now too. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#syncLoops();
    this.#tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.#opts.clock.clearTimeout(this.#timer);
    for (const loop of this.#loops.values()) this.#opts.clock.clearTimeout(loop.timer);
    this.#loops.clear();
    await this.#cycle;
  }

  /**
   * Swaps the source list (hot reload). Sources whose object is unchanged keep running undisturbed; a replaced
   * source keeps its last section until its new version settles; a removed source's section goes.
   */
  setSources(sources: readonly Source[]): void {
    this.#sources = [...sources];
    const names = new Set(sources.map((s) => s.name));
    for (const name of [...this.#latest.keys()]) if (!names.has(name)) this.#latest.delete(name);
    if (this.#running) this.#syncLoops();
  }

  /** One round of the host sources and a snapshot of everything's latest; exposed for tests and benches. */
  async sampleOnce(): Promise<Snapshot> {
    const { clock } = this.#opts;
    const takenAt = clock.now();
    const started = performance.now();
    const round = this.#sources.filter((s): s is ScheduledSource => !isFed(s) && s.kind === 'host');
    // outside a running scheduler (tests, benches) every scheduled source runs in the round
    const extra = this.#running ? [] : this.#sources.filter((s): s is ScheduledSource => !isFed(s) && s.kind !== 'host');
    await Promise.all([...round, ...extra].map((s) => this.#run(s)));
    return this.#assemble(takenAt, performance.now() - started);
  }

  #assemble(takenAt: number, durationMs: number): Snapshot {
    const sections: Record<string, Section> = {};
    const readings: Reading[] = [];
    const unavailable = new Set<string>();
    for (const s of this.#sources) {
      if (isFed(s)) {
        this.#readFed(s, takenAt, sections, readings);
        continue;
      }
      const latest = this.#latest.get(s.name);
      if (!latest) {
        // not settled yet (a probe before its first check): its metrics are not known yet, not gone, so rules on
        // them keep their state (an alert restored at a restart does not resolve before the first check)
        for (const m of Object.keys(s.metrics)) unavailable.add(m);
        continue;
      }
      sections[s.name] = latest.section;
      if (latest.readings) for (const r of latest.readings) readings.push(r);
      else for (const m of latest.metrics) unavailable.add(m);
    }
    return { takenAt, durationMs, sections, readings, unavailable };
  }

  #readFed(s: FedSource, now: number, sections: Record<string, Section>, readings: Reading[]): void {
    const started = performance.now();
    try {
      const out = s.read(now);
      for (const r of out.readings) readings.push(r);
      sections[s.name] = { kind: s.kind, settledAt: now, ok: true, durationMs: performance.now() - started, summary: out.summary };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      sections[s.name] = { kind: s.kind, settledAt: now, ok: false, durationMs: performance.now() - started, error };
    }
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

  /** Starts a timer loop for every non-host scheduled source that has none (or whose object changed); stops the rest. */
  #syncLoops(): void {
    const wanted = new Map<string, ScheduledSource>();
    for (const s of this.#sources) if (!isFed(s) && s.kind !== 'host') wanted.set(s.name, s);
    for (const [name, loop] of this.#loops) {
      if (wanted.get(name) === loop.source) continue;
      this.#opts.clock.clearTimeout(loop.timer);
      this.#loops.delete(name);
    }
    const fresh = [...wanted].filter(([name]) => !this.#loops.has(name));
    // many loops starting together (500 services at start or after a reload) would run in step forever, every
    // result landing in the same few hundred ms of each interval; their first runs are spread over the interval
    // in at most SPREAD_SLOTS groups: a timer of its own per source costs a wake-up each (in both this process and
    // the targets'); 500 services in 50 groups of 10, 100 ms apart at a 5 s interval
    const spread = fresh.length > SPREAD_ABOVE;
    const slots = Math.min(fresh.length, SPREAD_SLOTS);
    fresh.forEach(([name, source], i) => {
      const loop = { source, timer: undefined as unknown };
      this.#loops.set(name, loop);
      const runLoop = (): void => {
        if (this.#loops.get(name) !== loop) return;
        const startedAt = this.#opts.clock.now();
        void this.#run(source).finally(() => {
          if (this.#loops.get(name) !== loop) return;
          const wait = Math.max(0, source.schedule.intervalMs - (this.#opts.clock.now() - startedAt));
          loop.timer = this.#opts.clock.setTimeout(runLoop, wait);
        });
      };
      const offset = spread ? Math.floor((Math.floor((i * slots) / fresh.length) * source.schedule.intervalMs) / slots) : 0;
      if (offset === 0) runLoop();
      else loop.timer = this.#opts.clock.setTimeout(runLoop, offset);
    });
  }

  /** One run of a scheduled source under its own timeout; records the outcome as its latest section. */
  async #run(s: ScheduledSource): Promise<void> {
    const { clock } = this.#opts;
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const prev = this.#latest.get(s.name);
    const fail = (error: string) => {
      this.#latest.set(s.name, { section: { kind: s.kind, settledAt: clock.now(), ok: false, durationMs: elapsed(), error }, readings: undefined, metrics: prev?.metrics ?? new Set() });
    };
    if (this.#inFlight.has(s.name)) return fail('previous collection is still running');
    this.#inFlight.add(s.name);
    const controller = new AbortController();
    let timer: unknown;
    const timeoutMs = s.schedule.timeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => {
        controller.abort();
        reject(new Error(`timed out after ${timeoutMs}ms`));
      }, timeoutMs);
    });
    const work = Promise.resolve().then(() => s.collect(controller.signal));
    // the in-flight mark clears when the source really returns, not when we stop waiting for it
    work.then(
      () => this.#inFlight.delete(s.name),
      () => this.#inFlight.delete(s.name),
    );
    try {
      const out = await Promise.race([work, timeout]);
      this.#latest.set(s.name, {
        section: { kind: s.kind, settledAt: clock.now(), ok: true, durationMs: elapsed(), summary: out.summary },
        readings: out.readings,
        metrics: new Set(out.readings.map((x) => x.metric)),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#opts.logger.warn({ source: s.name, error: message }, 'source failed');
      fail(message);
    } finally {
      clock.clearTimeout(timer);
    }
  }
}
