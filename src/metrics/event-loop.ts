import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry, type RegistryContentType } from 'prom-client';

/** What EventLoopLag reads of Node's IntervalHistogram. */
export type DelayHistogram = Pick<ReturnType<typeof monitorEventLoopDelay>, 'count' | 'min' | 'max' | 'mean' | 'stddev' | 'percentile' | 'reset' | 'enable' | 'disable'>;

const NAMES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;

/**
 * nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds over the last sampling interval, in place of
 * prom-client's. Node's delay histogram times its own timer, so every value includes the timer's resolution:
 * prom-client reports that as lag (≈ the resolution even when idle). Here the resolution is subtracted, so 0 means
 * no lag. The resolution trades fidelity for idle CPU: each tick wakes the process (10 ms costs ~0.75 % of a core
 * here); a stall shorter than the resolution is seen only when it covers a tick.
 */
export class EventLoopLag {
  readonly #h: DelayHistogram;
  readonly #resolutionNs: number;
  readonly #gauges: Record<(typeof NAMES)[number], Gauge>;

  /** histogram: Node's delay monitor by default; tests pass a fixed one */
  constructor(registry: Registry<RegistryContentType>, resolutionMs: number, histogram?: DelayHistogram) {
    for (const n of NAMES) registry.removeSingleMetric(`nodejs_eventloop_lag_${n}_seconds`);
    this.#resolutionNs = resolutionMs * 1e6;
    this.#h = histogram ?? monitorEventLoopDelay({ resolution: resolutionMs });
    this.#h.enable();
    const help = (what: string) => `${what} event-loop delay beyond the ${resolutionMs} ms monitor tick over the last sampling interval.`;
    this.#gauges = {
      min: new Gauge({ name: 'nodejs_eventloop_lag_min_seconds', help: help('The minimum'), registers: [registry] }),
      max: new Gauge({ name: 'nodejs_eventloop_lag_max_seconds', help: help('The maximum'), registers: [registry] }),
      mean: new Gauge({ name: 'nodejs_eventloop_lag_mean_seconds', help: help('The mean'), registers: [registry] }),
      stddev: new Gauge({ name: 'nodejs_eventloop_lag_stddev_seconds', help: 'The standard deviation of the event-loop delay over the last sampling interval.', registers: [registry] }),
      p50: new Gauge({ name: 'nodejs_eventloop_lag_p50_seconds', help: help('The median'), registers: [registry] }),
      p90: new Gauge({ name: 'nodejs_eventloop_lag_p90_seconds', help: help('The 90th percentile of the'), registers: [registry] }),
      p99: new Gauge({ name: 'nodejs_eventloop_lag_p99_seconds', help: help('The 99th percentile of the'), registers: [registry] }),
    };
  }

  /** Publishes the interval that just ended and starts a new one (called once per sampling cycle). */
  roll(): void {
    const h = this.#h;
    if (h.count > 0) {
      const lag = (ns: number) => Math.max(0, ns - this.#resolutionNs) / 1e9;
      this.#gauges.min.set(lag(h.min));
      this.#gauges.max.set(lag(h.max));
      this.#gauges.mean.set(lag(h.mean));
      this.#gauges.stddev.set(h.stddev / 1e9);
      this.#gauges.p50.set(lag(h.percentile(50)));
      this.#gauges.p90.set(lag(h.percentile(90)));
      this.#gauges.p99.set(lag(h.percentile(99)));
    }
    h.reset();
  }

  stop(): void {
    this.#h.disable();
  }
}
