import type { Hono } from 'hono';
import type { Collector } from './collectors/collector.ts';
import { readStaticFacts, type StaticFacts } from './collectors/static-facts.ts';
import { buildSources, specsOf } from './wiring/sources.ts';
import type { Source, SourceKind } from './sources/source.ts';
import { createServices } from './wiring/services.ts';
import { createHeartbeats } from './wiring/heartbeats.ts';
import { analyzeRoutes } from './http/routes/analyze.ts';
import { STATUSES, StatusModel, type Target } from './status/status.ts';
import { loadConfig } from './wiring/config.ts';
import type { Config } from './config/schema.ts';
import { RESTART_NOTICE, restartNeeded } from './config/reload-policy.ts';
import { createAlerting, type Alerting } from './alerting.ts';
import { createChannelWorker } from './notify/channels/remote.ts';
import { bearerGuard, createBasicAuth } from './http/auth.ts';
import { alertsRoutes } from './http/routes/alerts.ts';
import { silenceRoutes } from './http/routes/silences.ts';
import type { ChannelDeps } from './notify/channels/index.ts';
import type { RetryOptions } from './notify/pipeline.ts';
import { openDatabase } from './store/db.ts';
import { createHttpApp } from './http/app.ts';
import { mountDashboard } from './http/dashboard/mount.ts';
import { heartbeatViews, serviceViews } from './http/dashboard/adapters.ts';
import type { DemoPanel } from './http/dashboard/views.ts';
import type { ApiOperation } from './http/openapi/registry.ts';
import { listen, type Listening } from './http/server.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { REVISION, VERSION } from './lib/version.ts';
import { ExpositionCache } from './metrics/exposition.ts';
import { MetricsRegistry } from './metrics/registry.ts';
import { Scheduler } from './snapshot/scheduler.ts';
import { SnapshotStore } from './snapshot/store.ts';
import { createPacer } from './lib/slice.ts';

/** Every edge to the outside world, injectable for tests. */
export interface SidecarDeps {
  logger: Logger;
  clock?: Clock;
  /** replaces the configured host collectors (tests inject failing or hanging ones) */
  collectors?: Collector[];
  /** further sources, appended to the configured ones through the same list (tests register fakes) */
  sources?: Source[];
  /** default: systeminformation once at start */
  staticFacts?: () => Promise<StaticFacts>;
  /** the file the config came from; reload() reads it again */
  configPath?: string;
  /** environment for ${VAR} interpolation on reload; default process.env */
  env?: Record<string, string | undefined>;
  /** outside edges of the channels (fetch, SMTP transport) */
  channelDeps?: ChannelDeps;
  /** false: channel sends run on this thread instead of a worker thread (default: a worker, unless channelDeps) */
  channelThread?: boolean;
  /** delivery retry timing (tests shorten it) */
  retry?: Partial<RetryOptions>;
  /** the port start() will listen on, for the default external URL (http://<host name>:<port>) */
  listenPort?: number;
  /** further routes on the sidecar's own app, before the dashboard's (`prodpulse demo` mounts /demo/fault) */
  routes?: ((app: Hono) => void)[];
  /** demo mode only: the dashboard shows a Demo panel of fault buttons */
  demoPanel?: DemoPanel;
  /** descriptions of `routes` for /openapi.json */
  extraApi?: readonly (readonly ApiOperation[])[];
}

export interface Sidecar {
  /** starts sampling and serving; resolves once the server listens */
  start(listenAt: { host: string; port: number }): Promise<Listening>;
  /** stops sampling, serving and delivery within graceMs */
  stop(graceMs?: number): Promise<void>;
  /** reads the config file again; a valid one swaps in, an invalid one is logged and the old one keeps running */
  reload(reason: string): Promise<{ ok: boolean; errors: string[] }>;
  /** the Hono app, for in-process requests */
  readonly app: Hono;
  readonly metrics: MetricsRegistry;
  readonly store: SnapshotStore;
  readonly alerting: Alerting;
  readonly status: StatusModel;
}

/** Wiring only: builds the parts from config and deps and connects them in one direction. */
export async function createSidecar(initial: Config, deps: SidecarDeps): Promise<Sidecar> {
  let config = initial;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const startedAt = clock.now();
  const facts = await (deps.staticFacts ?? (() => readStaticFacts({ paths: config.sampling.paths })))();
  logger.info({ host: facts.hostname, os: facts.os, kernel: facts.kernel, cpu: facts.cpuModel }, 'host facts read');

  const metrics = new MetricsRegistry({ version: VERSION, revision: REVISION, nodeVersion: process.version });
  const exposition = new ExpositionCache(metrics.registry);
  const store = new SnapshotStore(config.sampling.history, (err) => logger.error({ err: { message: (err as Error).message } }, 'a snapshot subscriber failed'));
  // host and static sources are built once (sampling changes need a restart; collectors keep counters)
  const fixedSources = buildSources(config, { facts, ...(deps.collectors ? { collectors: deps.collectors } : {}) });

  const db = openDatabase(config.storage.path);
  // services: the registry, one probe source per enabled service (states kept across reloads), history, routes
  const services = createServices(config, {
    db,
    clock,
    logger,
    status: (id) => status.get('service', id)?.status ?? 'UNKNOWN',
    writeGuard: bearerGuard(() => config.server.token),
    onSourcesChanged: () => refreshSources(),
  });
  const heartbeats = createHeartbeats(config, { db, clock, logger, token: () => config.server.token });
  /** THE list the scheduler runs, rebuilt when services or the config change */
  const currentSources = (): Source[] => [...fixedSources, ...services.sources(), heartbeats.source, ...(deps.sources ?? [])];
  let sources = currentSources();
  metrics.define(specsOf(sources));
  // channel sends run on a worker thread (started with the first active channel) unless a test injects channel edges
  const channelWorker = deps.channelDeps || deps.channelThread === false ? undefined : createChannelWorker(logger);
  const alerting = createAlerting(config, {
    db,
    clock,
    logger,
    metrics,
    ...(deps.channelDeps ? { channelDeps: deps.channelDeps } : {}),
    ...(channelWorker ? { channelWorker } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    hostname: facts.hostname,
    ...(deps.listenPort !== undefined ? { listenPort: deps.listenPort } : {}),
  });

  // subscribers, in order: the exposition serves the new sample at once; rules then run paced so scrapes keep
  // being answered meanwhile; afterwards prodpulse_alerts and the notification metrics changed
  const reported = new Set<string>();
  store.subscribe((s) => {
    metrics.applySnapshot(s);
    exposition.invalidate();
    for (const m of metrics.undeclared)
      if (!reported.has(m)) {
        reported.add(m);
        logger.error({ metric: m }, 'a source produced a reading whose metric it does not declare; it is not served');
      }
  });
  // (prodpulse_alerts and the notification metrics change here; the status subscriber below invalidates once after)
  store.subscribe((s) => alerting.evaluate(s.readings, s.unavailable, createPacer()));

  // the status model: HEALTHY / DEGRADED / DOWN per target from the alerts firing on it
  const kindOfMetric = new Map<string, SourceKind>();
  const indexKinds = (list: readonly Source[]) => {
    kindOfMetric.clear();
    for (const src of list) for (const m of Object.keys(src.metrics)) kindOfMetric.set(m, src.kind);
  };
  indexKinds(sources);
  const status = new StatusModel({ kindOfMetric: (m) => kindOfMetric.get(m), metricOfAlert: (a) => config.rules.find((r) => r.alert === a)?.metric });
  const targets = (): Target[] => [
    { kind: 'host', target: facts.hostname },
    ...services.definitions().map((d) => ({ kind: 'service' as const, target: d.id })),
    ...[...heartbeats.tracker.entries()].map((e) => ({ kind: 'heartbeat' as const, target: e.job.service })),
  ];
  /** after the services or the config changed: the scheduler, the registered specs and the kind index follow */
  const refreshSources = () => {
    sources = currentSources();
    metrics.define(specsOf(sources));
    indexKinds(sources);
    scheduler.setSources(sources);
  };
  // the status as /metrics/live shows it: built once per snapshot, after the status model has seen it
  let statusView: unknown[] = [];
  store.subscribe((s) => {
    const firing = alerting
      .active()
      .filter((a) => a.state === 'firing')
      .map((a) => ({ alert: a.alert, severity: a.severity, labels: a.labels, summary: a.summary, since: a.firingSince ?? a.activeSince }));
    status.update(targets(), firing, s.takenAt);
    statusView = status.list().map((e) => ({ ...e, since: new Date(e.since).toISOString(), alerts: e.alerts.map((a) => ({ ...a, since: new Date(a.since).toISOString() })) }));
    metrics.status.reset();
    for (const e of status.list()) for (const st of STATUSES) metrics.status.set({ kind: e.kind, target: e.target, status: st }, e.status === st ? 1 : 0);
    exposition.invalidate();
  });

  // the dashboard: rendered sections and their event stream, after the status model has seen the snapshot
  const ui = mountDashboard({
    store,
    alerting,
    clock,
    logger,
    version: VERSION,
    historyPoints: config.sampling.history,
    services: serviceViews(services, status, () => clock.now()),
    heartbeats: heartbeatViews(heartbeats.tracker, status, () => clock.now()),
    hostStatus: () => status.get('host', facts.hostname)?.status,
    ...(deps.demoPanel ? { demo: deps.demoPanel } : {}),
    ...(deps.extraApi ? { extraApi: deps.extraApi } : {}),
  });
  store.subscribe(() => ui.evaluated());

  const scheduler = new Scheduler({ sources, intervalMs: config.sampling.interval, clock, logger, onSnapshot: (s) => store.publish(s) });

  const basicAuth = config.server.basic_auth_users ? createBasicAuth(config.server.basic_auth_users, { clock }) : undefined;
  const guards = basicAuth ? [basicAuth.guard] : [];
  const app = createHttpApp({
    exposition,
    store,
    clock,
    logger,
    startedAt,
    version: VERSION,
    intervalMs: () => config.sampling.interval,
    services: (environment) => services.summaries(environment),
    status: () => statusView,
    guards,
    extraRoutes: [
      (a) => alertsRoutes(a, alerting),
      (a) => services.routes(a),
      (a) => heartbeats.routes(a),
      // CPU-heavy (it runs on a worker thread past 256 kB), so it takes the write token
      (a) => analyzeRoutes(a, { clock, logger, guard: bearerGuard(() => config.server.token) }),
      (a) => silenceRoutes(a, alerting.silences, bearerGuard(() => config.server.token)),
      ...(deps.routes ?? []),
      ...ui.routes,
    ],
  });

  let listening: Listening | undefined;
  return {
    app,
    metrics,
    store,
    alerting,
    status,
    async start(at) {
      listening = await listen(app, { ...at, ...(config.server.tls ? { tls: config.server.tls } : {}) });
      alerting.start();
      heartbeats.start();
      services.start();
      scheduler.start();
      logger.info({ address: listening.url, intervalMs: config.sampling.interval, sources: sources.map((c) => c.name) }, 'prodpulse serving');
      return listening;
    },
    async reload(reason) {
      if (!deps.configPath) return { ok: false, errors: ['no config file to reload from'] };
      // the reload metrics change now: the next scrape renders them rather than the bytes of the last sample
      try {
        return await reloadFrom(deps.configPath, reason);
      } finally {
        exposition.invalidate();
      }
    },
    async stop(graceMs = 4000) {
      ui.close(); // ends the dashboards' event streams, which would otherwise hold the server open
      await Promise.all([scheduler.stop(), listening?.close(graceMs)]);
      services.stop();
      heartbeats.stop();
      await alerting.stop();
      await basicAuth?.close();
      db.close();
    },
  };

  async function reloadFrom(configPath: string, reason: string): Promise<{ ok: boolean; errors: string[] }> {
    const loaded = await loadConfig(configPath, { env: deps.env ?? process.env });
    if (!loaded.ok) {
      metrics.configReloads.inc({ result: 'failure' });
      metrics.configLastReloadSuccess.set(0);
      logger.error({ reason, config: configPath, errors: loaded.errors }, 'config reload rejected; the running config stays');
      return { ok: false, errors: loaded.errors };
    }
    if (loaded.warnings.length > 0) logger.warn({ config: configPath, warnings: loaded.warnings }, 'configuration warnings');
    try {
      await alerting.applyConfig(loaded.config);
    } catch (err) {
      metrics.configReloads.inc({ result: 'failure' });
      metrics.configLastReloadSuccess.set(0);
      const message = (err as Error).message;
      logger.error({ reason, config: configPath, error: message }, 'config reload rejected; the running config stays');
      return { ok: false, errors: [message] };
    }
    for (const w of loaded.warnings) logger.warn({ config: configPath }, w);
    heartbeats.applyConfig(loaded.config);
    metrics.configReloads.inc({ result: 'success' });
    metrics.configLastReloadSuccess.set(1);
    // rules, channels, defaults, maintenance and server.token apply now; the rest is read once at start
    const needsRestart = restartNeeded(config, loaded.config);
    config = loaded.config;
    services.applyConfig(config);
    refreshSources();
    logger.info({ reason, restartNeeded: needsRestart }, needsRestart ? RESTART_NOTICE : 'config reloaded');
    return { ok: true, errors: [] };
  }
}
