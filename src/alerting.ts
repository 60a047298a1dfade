import os from 'node:os';
import { resolveExternalLabels } from './rules/external-labels.ts';
import { portOfListen, resolveExternalUrl } from './notify/links.ts';
import { channelInactiveReason, type ChannelConfig, type Config } from './config/schema.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { VERSION } from './lib/version.ts';
import { redactText } from './lib/redact.ts';
import type { MetricsRegistry } from './metrics/registry.ts';
import { channelSecrets, createChannel, describeChannel, type ChannelDeps } from './notify/channels/index.ts';
import { createNotifier, notifierConfigFromConfig, type Notifier, type RetryOptions } from './notify/pipeline.ts';
import type { AlertQueries, ChannelStatus } from './notify/queries.ts';
import type { Channel } from './notify/types.ts';
import { OUTCOMES } from './notify/delivery.ts';
import type { ChannelWorker } from './notify/channels/remote.ts';
import { RuleEngine, validateRules, type ActiveAlert, type PersistedAlert } from './rules/engine.ts';
import type { Reading } from './snapshot/snapshot.ts';
import { createAlertStateRepo } from './store/alert-state-repo.ts';
import { createAlertStateStore } from './rules/state-store.ts';
import { neverDue, type Pacer } from './lib/slice.ts';
import type { Db } from './store/db.ts';

export type { AlertQueries, ChannelStatus } from './notify/queries.ts';

export interface AlertingDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  channelDeps?: ChannelDeps;
  /** sends run on this worker thread (src/notify/channels/remote.ts) when defaults.delivery_thread is worker; else on the calling thread */
  channelWorker?: ChannelWorker;
  retry?: Partial<RetryOptions>;
  /** this host's name (the static facts): the default `instance` external label and external URL host; default os.hostname() */
  hostname?: string;
  /** the port the HTTP server listens on, for the default external URL; default the port of server.listen, else 9470 */
  listenPort?: number;
}

/** Rules → events → notifier, with alert state persisted after every evaluation so a restart neither re-fires nor forgets. */
export interface Alerting extends AlertQueries {
  /**
   * One evaluation. `unavailable`: metrics whose collector failed this cycle; their rules keep their state instead
   * of resolving. Paced (src/lib/slice.ts): on the thread that serves HTTP pass a fresh `createPacer()`, so rules,
   * notification records and alert states are worked through in steps and written in short transactions, with a
   * turn for the event loop whenever a slice is spent; tests and CLI commands pass nothing (`neverDue`: one go).
   * Evaluations must not overlap (the scheduler awaits each one).
   */
  evaluate(readings: readonly Reading[], unavailable?: ReadonlySet<string>, pacer?: Pacer): Promise<void>;
  /**
   * Swaps in the rules, channels and notification settings of a new valid config. Invalid rules throw at once,
   * before anything changes. During an evaluation the swap waits for it to finish; the promise settles
   * once the config is in effect.
   */
  applyConfig(config: Config): Promise<void>;
  /** the labels every alert carries (external_labels with instance resolved) */
  externalLabels(): Record<string, string>;
  /** server.external_url, else http://<host name>:<port>: the base of every link in a notification */
  externalUrl(): string;
  readonly notifier: Notifier;
  start(): void;
  stop(): Promise<void>;
}

export function createAlerting(initial: Config, deps: AlertingDeps): Alerting {
  const { db, clock, logger, metrics } = deps;
  const hostname = deps.hostname ?? os.hostname();
  const externalLabelsOf = (c: Config) => resolveExternalLabels(c.external_labels, hostname);
  const externalUrlOf = (c: Config) => resolveExternalUrl(c.server.external_url, hostname, deps.listenPort ?? portOfListen(c.server.listen) ?? 9470);
  let externalUrl = externalUrlOf(initial);
  const stateStore = createAlertStateStore({ rows: createAlertStateRepo<PersistedAlert>(db), tx: (fn) => db.tx(fn), clock });
  const channels = new Map<string, Channel>();
  let statuses: ChannelStatus[] = [];
  let secrets: string[] = [];

  const buildChannels = (config: Config) => {
    channels.clear();
    statuses = [];
    secrets = [];
    const remote: [string, ChannelConfig][] = [];
    const worker = config.defaults.delivery_thread === 'worker' ? deps.channelWorker : undefined;
    // switched to the main thread by a reload: sends in flight on the thread may finish, then it goes
    if (!worker && deps.channelWorker?.running()) void deps.channelWorker.stop(30_000);
    for (const [name, cfg] of Object.entries(config.channels)) {
      let reason = channelInactiveReason(cfg);
      try {
        secrets.push(...channelSecrets(cfg));
      } catch {
        reason ??= 'unusable configuration';
      }
      if (reason === undefined) {
        try {
          // built here even when it will send from the worker: a config it cannot use is reported the same way
          const channel = createChannel(name, cfg, { logger, version: VERSION, externalUrl, ...deps.channelDeps });
          if (worker) remote.push([name, cfg]);
          else {
            channels.set(name, channel);
            channel.prepare?.().catch((err: unknown) => logger.warn({ channel: name, err: redactText((err as Error)?.message ?? String(err), channelSecrets(cfg)) }, 'channel library failed to load; the first send retries'));
          }
        } catch (err) {
          // the message is already redacted by createChannel
          reason = `unusable configuration: ${(err as Error).message}`;
        }
      }
      statuses.push({ name, ...describeChannel(cfg), active: reason === undefined, ...(reason ? { inactiveReason: reason } : {}) });
    }
    if (worker && remote.length > 0) {
      for (const [name, ch] of worker.configure(remote, { version: VERSION, externalUrl })) channels.set(name, ch);
    }
    const inactive = statuses.filter((s) => !s.active).map((s) => `${s.name} (${s.inactiveReason})`);
    if (inactive.length) logger.warn({ inactive }, 'some channels are inactive; alerts routed to them are not sent');
    logger.info({ active: [...channels.keys()] }, 'notification channels');
  };
  buildChannels(initial);

  const restored = stateStore.restore();
  const engine = new RuleEngine({ rules: initial.rules, clock, externalLabels: externalLabelsOf(initial) });
  const droppedOnRestore = engine.importState(restored);

  const notifier = createNotifier({
    db,
    channels,
    config: notifierConfigFromConfig(initial),
    clock,
    logger,
    retry: deps.retry,
    secrets: () => secrets,
    metrics: {
      onOutcome: (channel, outcome, durationMs) => {
        metrics.notifications.inc({ channel, outcome });
        if (outcome === 'delivered' || outcome === 'failed') metrics.notificationDuration.observe({ channel }, durationMs / 1000);
      },
      onQueueDepth: (n) => metrics.queueDepth.set(n),
    },
  });
  if (restored.length) logger.info({ restored: restored.length }, 'alert states restored');

  // alert states are saved by rules/state-store.ts (when their shape changes, in chunked transactions)
  async function persist(pacer: Pacer): Promise<void> {
    await stateStore.save(engine, pacer);
    metrics.alerts.reset();
    zeroAlertSeries();
    for (const c of engine.counts()) metrics.alerts.set({ alertname: c.alertname, severity: c.severity, state: c.state }, c.n);
  }

  /**
   * One evaluation: rules → notifications (outbox first) → alert states. Notifying before saving states means a
   * crash in between repeats at most a notification (dedup then usually absorbs it) and never loses one.
   */
  let pendingEvents = droppedOnRestore;
  async function evaluateOnce(readings: readonly Reading[], unavailable: ReadonlySet<string> | undefined, pacer: Pacer): Promise<void> {
    const events = [...pendingEvents, ...(await engine.evaluate(readings, unavailable, pacer))];
    pendingEvents = [];
    let failure: unknown;
    try {
      const firing = engine.firing();
      if (pacer.due()) await pacer.yield();
      await notifier.process(events, firing, pacer);
    } catch (err) {
      // keep the events (resolutions above all) for the next evaluation rather than lose them; channels whose
      // message was already queued are not queued again (their notification records say so)
      pendingEvents = events;
      failure = err;
    }
    try {
      await persist(pacer);
    } catch (err) {
      if (failure === undefined) failure = err;
      else logger.error({ err: { message: (err as Error).message } }, 'saving alert states failed');
    }
    metrics.queueDepth.set(notifier.queueDepth());
    if (failure !== undefined) throw failure;
  }

  // known label sets start at zero (Prometheus practice): every rule's pending and firing series and every
  // configured channel's outcomes exist from the first scrape, so panels read 0 on a quiet host, not "No data"
  let rulesNow = initial.rules;
  function zeroAlertSeries(): void {
    for (const r of rulesNow) for (const state of ['pending', 'firing']) metrics.alerts.set({ alertname: r.alert, severity: r.severity, state }, 0);
  }
  function zeroNotificationSeries(config: Config): void {
    for (const channel of Object.keys(config.channels)) for (const outcome of OUTCOMES) metrics.notifications.inc({ channel, outcome }, 0);
  }
  zeroAlertSeries();
  zeroNotificationSeries(initial);

  const applyNow = (config: Config) => {
    // rules first: if they cannot be compiled nothing else has changed
    const resolved = engine.replaceRules(config.rules, externalLabelsOf(config));
    rulesNow = config.rules;
    zeroNotificationSeries(config);
    externalUrl = externalUrlOf(config);
    buildChannels(config);
    notifier.setConfig(notifierConfigFromConfig(config));
    pendingEvents.push(...resolved);
  };
  let inflight: Promise<void> | null = null;

  return {
    notifier,
    evaluate(readings, unavailable, pacer = neverDue) {
      const run = evaluateOnce(readings, unavailable, pacer).finally(() => {
        if (inflight === run) inflight = null;
      });
      inflight = run;
      return run;
    },
    applyConfig(config) {
      if (!inflight) {
        applyNow(config);
        return Promise.resolve();
      }
      validateRules(config.rules); // throws now, like applyNow would
      const after: Promise<void> = inflight
        .catch(() => undefined)
        .then(() => applyNow(config))
        .finally(() => {
          if (inflight === after) inflight = null;
        });
      inflight = after;
      return after;
    },
    active: () => engine.active(),
    channels: () => statuses,
    history: (limit, offset) => notifier.history(limit, offset),
    historyOf: (fp, limit) => notifier.historyOf(fp, limit),
    records: (fp) => notifier.records(fp),
    silences: notifier.silences,
    queueDepth: () => notifier.queueDepth(),
    externalLabels: () => engine.externalLabels(),
    externalUrl: () => externalUrl,
    start: () => notifier.start(),
    stop: async () => {
      await notifier.stop();
      await deps.channelWorker?.stop();
    },
  };
}

