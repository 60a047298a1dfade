import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import type { Snapshot } from '../snapshot/snapshot.ts';
import { EventLoopLag } from './event-loop.ts';
import type { MetricSpec, MetricSpecs } from '../sources/source.ts';
import { SourcedFamily } from './sourced-family.ts';

export interface BuildInfo {
  version: string;
  revision: string;
  nodeVersion: string;
}

/**
 * The sidecar's own prom-client Registry: the metrics the sources declare (set from each snapshot), the sidecar's
 * self metrics, and prom-client's process metrics. Nothing here samples; `applySnapshot` only copies readings.
 */
export class MetricsRegistry {
  readonly registry = new Registry<RegistryContentType>();
  /** metrics declared by sources, set from every snapshot */
  readonly #sourced = new Map<string, SourcedFamily>();
  /** metric names of readings that no source declared: a programming error, kept visible for tests and logs */
  readonly undeclared = new Set<string>();
  readonly collectorSuccess: Gauge;
  readonly collectorDuration: Gauge;
  readonly lastSample: Gauge;
  readonly alerts: Gauge;
  readonly notifications: Counter;
  readonly queueDepth: Gauge;
  readonly notificationDuration: Histogram;
  readonly configReloads: Counter;
  readonly configLastReloadSuccess: Gauge;
  readonly eventLoopLag: EventLoopLag;
  /** one series per target and status; filled with reset() + set() after each snapshot (src/sidecar.ts) */
  readonly status: SourcedFamily;

  constructor(build: BuildInfo) {
    const registers = [this.registry];
    // prom-client's own event-loop histogram is replaced by EventLoopLag; its monitor is left at a 1 s tick, nearly free
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 1000 });
    this.eventLoopLag = new EventLoopLag(this.registry, 100);
    // prom-client names these gauges *_total, which promtool rejects; the per-type nodejs_active_* gauges stay.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      this.registry.removeSingleMetric(name);
    new Gauge({ name: 'prodpulse_build_info', help: 'Build information; always 1.', labelNames: ['version', 'revision', 'nodeversion'], registers }).set(
      { version: build.version, revision: build.revision, nodeversion: build.nodeVersion },
      1,
    );
    this.collectorSuccess = new Gauge({ name: 'prodpulse_collector_success', help: '1 if the collector succeeded in the last cycle, 0 if it failed or timed out.', labelNames: ['collector'], registers });
    this.collectorDuration = new Gauge({ name: 'prodpulse_collector_duration_seconds', help: 'How long the collector took in the last cycle.', labelNames: ['collector'], registers });
    this.lastSample = new Gauge({ name: 'prodpulse_last_sample_timestamp_seconds', help: 'When the last sample was taken, seconds since the Unix epoch.', registers });
    this.alerts = new Gauge({ name: 'prodpulse_alerts', help: 'Alerts by name, severity and state (pending or firing).', labelNames: ['alertname', 'severity', 'state'], registers });
    this.notifications = new Counter({ name: 'prodpulse_notifications_total', help: 'Notification attempts by channel and outcome (delivered, retry, failed, silenced).', labelNames: ['channel', 'outcome'], registers });
    this.queueDepth = new Gauge({ name: 'prodpulse_notification_queue_depth', help: 'Notifications written to the outbox and not yet delivered or given up.', registers });
    this.notificationDuration = new Histogram({
      name: 'prodpulse_notification_duration_seconds',
      help: 'Time to deliver one notification to a channel, including retries.',
      labelNames: ['channel'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.configReloads = new Counter({ name: 'prodpulse_config_reloads_total', help: 'Configuration reloads by result (success, failure).', labelNames: ['result'], registers });
    this.configLastReloadSuccess = new Gauge({ name: 'prodpulse_config_last_reload_successful', help: '1 if the last configuration reload succeeded.', registers });
    this.configLastReloadSuccess.set(1);
    this.status = make('prodpulse_status', { type: 'gauge', help: 'HEALTHY, DEGRADED or DOWN per target (the host, each service, each heartbeat job): 1 for the current status, 0 for the others.', labels: ['kind', 'target', 'status'] }, this.registry);
  }

  /**
   * Registers the metrics sources declare (idempotent; called again after a reload adds sources). A metric no
   * longer declared by any source is unregistered.
   */
  define(specs: MetricSpecs): void {
    for (const name of [...this.#sourced.keys()])
      if (!Object.hasOwn(specs, name)) {
        this.registry.removeSingleMetric(name);
        this.#sourced.delete(name);
      }
    for (const [name, spec] of Object.entries(specs)) {
      if (this.#sourced.has(name)) continue;
      this.#sourced.set(name, make(name, spec, this.registry));
    }
  }

  /**
   * Replaces every sourced metric's series with the snapshot's readings; series that disappeared vanish. Only
   * collects them (a push per reading): formatting happens, paced, when a scrape renders the exposition.
   */
  applySnapshot(s: Snapshot): void {
    for (const m of this.#sourced.values()) m.reset();
    for (const r of s.readings) {
      const m = this.#sourced.get(r.metric);
      if (m) m.add(r);
      else this.undeclared.add(r.metric);
    }
    this.collectorSuccess.reset();
    this.collectorDuration.reset();
    for (const [name, section] of Object.entries(s.sections)) {
      this.collectorSuccess.set({ collector: name }, section.ok ? 1 : 0);
      this.collectorDuration.set({ collector: name }, section.durationMs / 1000);
    }
    this.lastSample.set(s.takenAt / 1000);
    this.eventLoopLag.roll();
  }
}

/** A family filled from readings, registered in the prom-client Registry in declaration order like a Gauge would be. */
function make(name: string, spec: MetricSpec, registry: Registry<RegistryContentType>): SourcedFamily {
  const family = new SourcedFamily(name, spec);
  registry.registerMetric(family as unknown as Parameters<Registry['registerMetric']>[0]);
  return family;
}
