import type { Hono } from 'hono';
import type { Collector } from './collectors/collector.ts';
import { collectorOptionsFromConfig, createCollectors } from './collectors/index.ts';
import { hostInfoReading, readStaticFacts, type StaticFacts } from './collectors/static-facts.ts';
import { loadConfigFile } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { createAlerting, type Alerting } from './alerting.ts';
import { createChannelWorker } from './notify/channels/remote.ts';
import { bearerGuard, createBasicAuth } from './http/auth.ts';
import { alertsRoutes } from './http/routes/alerts.ts';
import { silenceRoutes } from './http/routes/silences.ts';
import type { ChannelDeps } from './notify/channels/index.ts';
import type { RetryOptions } from './notify/pipeline.ts';
import { openDatabase } from './store/db.ts';
import { createHttpApp } from './http/app.ts';
import { listen, type Listening } from './http/server.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { REVISION, VERSION } from './lib/version.ts';
import { ExpositionCache } from './metrics/exposition.ts';
import { MetricsRegistry } from './metrics/registry.ts';
import { Scheduler } from './snapshot/scheduler.ts';
import type { Snapshot } from './snapshot/snapshot.ts';
import { SnapshotStore } from './snapshot/store.ts';
import { createSlicer } from './lib/slice.ts';

/** Every edge to the outside world, injectable for tests. */
export interface SidecarDeps {
  logger: Logger;
  clock?: Clock;
  /** replaces the configured host collectors (tests inject failing or hanging ones) */
  collectors?: Collector[];
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
}

/** Wiring only: builds the parts from config and deps and connects them in one direction. */
export async function createSidecar(initial: Config, deps: SidecarDeps): Promise<Sidecar> {
  let config = initial;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const startedAt = clock.now();
  const facts = await (deps.staticFacts ?? (() => readStaticFacts({ paths: config.sampling.paths })))();
  const info = hostInfoReading(facts);
  logger.info({ host: facts.hostname, os: facts.os, kernel: facts.kernel, cpu: facts.cpuModel }, 'host facts read');

  const metrics = new MetricsRegistry({ version: VERSION, revision: REVISION, nodeVersion: process.version });
  const exposition = new ExpositionCache(metrics.registry);
  const store = new SnapshotStore(config.sampling.history);
  const collectors = deps.collectors ?? createCollectors(collectorOptionsFromConfig(config.sampling));

  const db = openDatabase(config.storage.path);
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
  });

  const onSnapshot = async (s: Snapshot): Promise<void> => {
    s.readings.push(info);
    store.publish(s);
    metrics.applySnapshot(s);
    // the new sample is served from here on; rules then run in slices so scrapes keep being answered meanwhile
    exposition.invalidate();
    try {
      await alerting.evaluateSliced(s.readings, s.unavailable, createSlicer());
    } catch (err) {
      logger.error({ err: { message: (err as Error).message } }, 'rule evaluation failed');
    }
    exposition.invalidate(); // prodpulse_alerts and the notification metrics changed
  };

  const scheduler = new Scheduler({
    collectors,
    intervalMs: config.sampling.interval,
    timeoutMs: config.sampling.timeout,
    clock,
    logger,
    onSnapshot,
  });

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
    guards,
    extraRoutes: [
      (a) => alertsRoutes(a, alerting),
      (a) => silenceRoutes(a, alerting.notifier.silences, bearerGuard(() => config.server.token)),
    ],
  });

  let listening: Listening | undefined;
  return {
    app,
    metrics,
    store,
    alerting,
    async start(at) {
      listening = await listen(app, { ...at, ...(config.server.tls ? { tls: config.server.tls } : {}) });
      alerting.start();
      scheduler.start();
      logger.info({ address: listening.url, intervalMs: config.sampling.interval, collectors: collectors.map((c) => c.name) }, 'prodpulse serving');
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
      await Promise.all([scheduler.stop(), listening?.close(graceMs)]);
      await alerting.stop();
      await basicAuth?.close();
      db.close();
    },
  };

  async function reloadFrom(configPath: string, reason: string): Promise<{ ok: boolean; errors: string[] }> {
    const loaded = await loadConfigFile(configPath, { env: deps.env ?? process.env });
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
    metrics.configReloads.inc({ result: 'success' });
    metrics.configLastReloadSuccess.set(1);
    // rules, channels, defaults, maintenance and server.token apply now; the rest is read once at start
    const fixedAtStart = (c: Config) => stableJson({ sampling: c.sampling, storage: c.storage, server: { ...c.server, token: undefined } });
    const restartNeeded = fixedAtStart(loaded.config) !== fixedAtStart(config);
    config = loaded.config;
    logger.info({ reason, restartNeeded }, restartNeeded ? 'config reloaded; sampling, storage and server changes (other than the token) take effect after a restart' : 'config reloaded');
    return { ok: true, errors: [] };
  }
}

/** JSON in which regular expressions keep their source, so a changed pattern counts as a change. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof RegExp ? `/${x.source}/${x.flags}` : x));
}
