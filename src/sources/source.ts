/**
 * A source of readings: the unit of extension. Host collectors, the static facts, one HTTP probe per service and
 * the heartbeat tracker are all sources. A source declares what it produces (its metric specs) and how it runs:
 * on a schedule of its own (interval + timeout) or fed by events and read at every publish.
 *
 * The producer owns these types; snapshot/, metrics/ and the HTTP layer import them from here.
 */

/** A single sample value, named and labelled exactly as it appears on /metrics. */
export interface Reading {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/** What kind of thing a source watches; /metrics/live groups sections by it and the status model keys on it. */
export type SourceKind = 'host' | 'static' | 'service' | 'heartbeat' | 'self';

/** One metric a source produces, exactly as registered on /metrics. */
export interface MetricSpec {
  type: 'gauge' | 'counter';
  help: string;
  labels: readonly string[];
}

export type MetricSpecs = Readonly<Record<string, MetricSpec>>;

/** What one run of a source returns. */
export interface SourceOutput {
  readings: Reading[];
  /** JSON for /metrics/live and the dashboard, with explicit units in its keys (usagePercent, totalBytes, latencyMs). */
  summary: unknown;
}

interface SourceBase {
  /** unique among all sources; host collectors keep their collector names (cpu, load, …) */
  readonly name: string;
  readonly kind: SourceKind;
  /** every metric this source may produce; a reading without a spec here is a programming error */
  readonly metrics: MetricSpecs;
}

/** Runs on its own interval, each run under its own timeout; a hung run never delays another source. */
export interface ScheduledSource extends SourceBase {
  readonly schedule: { intervalMs: number; timeoutMs: number };
  /** throws on failure; honours `signal` where it can */
  collect(signal: AbortSignal): Promise<SourceOutput>;
}

/** Fed by events (pings, pushes); read synchronously at every publish. Must be cheap and must not throw. */
export interface FedSource extends SourceBase {
  readonly fed: true;
  read(now: number): SourceOutput;
}

export type Source = ScheduledSource | FedSource;

export function isFed(s: Source): s is FedSource {
  return (s as FedSource).fed === true;
}
