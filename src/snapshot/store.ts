import type { Snapshot } from './snapshot.ts';

export type Subscriber = (s: Snapshot) => void | Promise<void>;

/** What /metrics/live keeps of past cycles: small enough to hold hours of history. */
export interface HistoryPoint {
  takenAt: number;
  values: Record<string, number>;
}

/** Readings kept in history, by the key used in HistoryPoint.values. */
const HISTORY_SERIES: Record<string, (s: Snapshot) => number | undefined> = {
  cpuUsageRatio: (s) => find(s, 'host_cpu_usage_ratio', { cpu: 'all' }),
  memoryUsedRatio: (s) => find(s, 'host_memory_used_ratio'),
  load1: (s) => find(s, 'host_load1'),
  swapUsedRatio: (s) => find(s, 'host_swap_used_ratio'),
};

function find(s: Snapshot, metric: string, labels: Record<string, string> = {}): number | undefined {
  for (const r of s.readings) {
    if (r.metric !== metric) continue;
    if (Object.entries(labels).every(([k, v]) => r.labels[k] === v)) return r.value;
  }
  return undefined;
}

/** The latest snapshot and a fixed-size ring of history points. Readers never trigger sampling. */
export class SnapshotStore {
  #latest: Snapshot | undefined;
  readonly #ring: (HistoryPoint | undefined)[];
  #next = 0;
  #size = 0;
  readonly #subscribers: Subscriber[] = [];
  readonly #onError: (err: unknown) => void;

  /** onError: told about a subscriber that threw; the others still run */
  constructor(capacity: number, onError: (err: unknown) => void = () => {}) {
    this.#ring = new Array(Math.max(1, capacity));
    this.#onError = onError;
  }

  get latest(): Snapshot | undefined {
    return this.#latest;
  }

  /**
   * Makes `s` the latest, records its history point, then runs every subscriber in subscription order, awaiting
   * each (exposition first, then alerting, then the status model and the event stream). A subscriber that throws
   * is reported and skipped; publishing goes on.
   */
  async publish(s: Snapshot): Promise<void> {
    this.#latest = s;
    const values: Record<string, number> = {};
    for (const [key, pick] of Object.entries(HISTORY_SERIES)) {
      const v = pick(s);
      if (v !== undefined) values[key] = v;
    }
    this.#ring[this.#next] = { takenAt: s.takenAt, values };
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#size = Math.min(this.#size + 1, this.#ring.length);
    for (const fn of [...this.#subscribers]) {
      try {
        await fn(s);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  /** Called with every published snapshot, in order, after it became `latest`; returns the unsubscribe function. */
  subscribe(fn: Subscriber): () => void {
    this.#subscribers.push(fn);
    return () => {
      const i = this.#subscribers.indexOf(fn);
      if (i >= 0) this.#subscribers.splice(i, 1);
    };
  }

  /** Oldest first; at most `limit` most recent points. */
  history(limit = this.#ring.length): HistoryPoint[] {
    const n = Math.min(limit, this.#size);
    const out: HistoryPoint[] = [];
    for (let i = n; i > 0; i--) {
      const idx = (this.#next - i + this.#ring.length) % this.#ring.length;
      out.push(this.#ring[idx]!);
    }
    return out;
  }
}
