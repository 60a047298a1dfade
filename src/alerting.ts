import { channelInactiveReason, type Config } from './config/schema.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';
import { VERSION } from './lib/version.ts';
import type { MetricsRegistry } from './metrics/registry.ts';
import { channelSecrets, createChannel, describeChannel, type ChannelDeps, type ChannelDescription } from './notify/channels/index.ts';
import { createNotifier, notifierConfigFromConfig, type Notifier, type RetryOptions } from './notify/pipeline.ts';
import type { Channel } from './notify/types.ts';
import { RuleEngine, type ActiveAlert, type PersistedAlert } from './rules/engine.ts';
import type { Reading } from './snapshot/snapshot.ts';
import { createAlertStateRepo } from './store/alert-state-repo.ts';
import type { Db } from './store/db.ts';

export interface AlertingDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  channelDeps?: ChannelDeps;
  retry?: Partial<RetryOptions>;
}

export interface ChannelStatus extends ChannelDescription {
  name: string;
  active: boolean;
  inactiveReason?: string;
}

/** Rules → events → notifier, with alert state persisted after every evaluation so a restart neither re-fires nor forgets. */
export interface Alerting {
  /** `unavailable`: metrics whose collector failed this cycle; their rules keep their state instead of resolving */
  evaluate(readings: readonly Reading[], unavailable?: ReadonlySet<string>): void;
  /** swaps in the rules, channels and notification settings of a new valid config */
  applyConfig(config: Config): void;
  active(): ActiveAlert[];
  channels(): ChannelStatus[];
  readonly notifier: Notifier;
  start(): void;
  stop(): Promise<void>;
}

export function createAlerting(initial: Config, deps: AlertingDeps): Alerting {
  const { db, clock, logger, metrics } = deps;
  const stateRepo = createAlertStateRepo<PersistedAlert>(db);
  const channels = new Map<string, Channel>();
  let statuses: ChannelStatus[] = [];
  let secrets: string[] = [];

  const buildChannels = (config: Config) => {
    channels.clear();
    statuses = [];
    secrets = [];
    for (const [name, cfg] of Object.entries(config.channels)) {
      let reason = channelInactiveReason(cfg);
      try {
        secrets.push(...channelSecrets(cfg));
      } catch {
        reason ??= 'unusable configuration';
      }
      if (reason === undefined) {
        try {
          channels.set(name, createChannel(name, cfg, { logger, version: VERSION, ...(config.server.external_url ? { externalUrl: config.server.external_url } : {}), ...deps.channelDeps }));
        } catch (err) {
          // the message is already redacted by createChannel
          reason = `unusable configuration: ${(err as Error).message}`;
        }
      }
      statuses.push({ name, ...describeChannel(cfg), active: reason === undefined, ...(reason ? { inactiveReason: reason } : {}) });
    }
    const inactive = statuses.filter((s) => !s.active).map((s) => `${s.name} (${s.inactiveReason})`);
    if (inactive.length) logger.warn({ inactive }, 'some channels are inactive; alerts routed to them are not sent');
    logger.info({ active: [...channels.keys()] }, 'notification channels');
  };
  buildChannels(initial);

  const restored = stateRepo.loadAll().map((r) => r.state);
  const engine = new RuleEngine({ rules: initial.rules, clock });
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

  // Alert states are written when they change shape (new, pending→firing, keep-firing, gone), not every cycle:
  // a value that moves while firing is re-read from the next sample after a restart anyway.
  const persisted = new Map<string, string>(restored.map((s) => [s.fingerprint, shapeOf(s)]));
  const persistAndPublish = () => {
    const states = engine.exportState();
    const now = clock.now();
    const seen = new Set<string>();
    db.tx(() => {
      for (const st of states) {
        seen.add(st.fingerprint);
        const shape = shapeOf(st);
        if (persisted.get(st.fingerprint) === shape) continue;
        stateRepo.save(st.fingerprint, st, now);
        persisted.set(st.fingerprint, shape);
      }
      for (const fp of persisted.keys()) {
        if (seen.has(fp)) continue;
        stateRepo.delete(fp);
        persisted.delete(fp);
      }
    });
    metrics.alerts.reset();
    const counts = new Map<string, { alertname: string; severity: string; state: string; n: number }>();
    for (const a of engine.active()) {
      const k = `${a.alert}\0${a.severity}\0${a.state}`;
      const c = counts.get(k) ?? { alertname: a.alert, severity: a.severity, state: a.state, n: 0 };
      c.n++;
      counts.set(k, c);
    }
    for (const c of counts.values()) metrics.alerts.set({ alertname: c.alertname, severity: c.severity, state: c.state }, c.n);
  };

  let pendingEvents = droppedOnRestore;
  return {
    notifier,
    evaluate(readings, unavailable) {
      const events = [...pendingEvents, ...engine.evaluate(readings, unavailable)];
      pendingEvents = [];
      try {
        persistAndPublish();
        notifier.process(events, engine.firing());
      } catch (err) {
        // keep the events (resolutions above all) for the next evaluation rather than lose them
        pendingEvents = events;
        throw err;
      }
      metrics.queueDepth.set(notifier.queueDepth());
    },
    applyConfig(config) {
      // rules first: if they cannot be compiled nothing else has changed
      const resolved = engine.replaceRules(config.rules);
      buildChannels(config);
      notifier.setConfig(notifierConfigFromConfig(config));
      pendingEvents.push(...resolved);
    },
    active: () => engine.active(),
    channels: () => statuses,
    start: () => notifier.start(),
    stop: () => notifier.stop(),
  };
}

/** The parts of a persisted alert that matter after a restart; the value and texts follow the next sample. */
function shapeOf(s: PersistedAlert): string {
  return `${s.ruleHash}|${s.state}|${s.activeSince}|${s.firingSince ?? ''}|${s.keepFiringSince ?? ''}`;
}
