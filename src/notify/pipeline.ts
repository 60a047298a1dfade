import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Config } from '../config/schema.ts';
import type { Db } from '../store/db.ts';
import { createHistoryRepo, type HistoryEntry, type HistoryPage } from '../store/history-repo.ts';
import { createNotificationRepo, type NotificationRecord, type NotificationState } from '../store/notification-repo.ts';
import { redactText } from '../lib/redact.ts';
import type { AlertEvent, Channel } from './types.ts';
import { kindOfType } from './channels/registry.ts';
import { createOutbox } from './outbox.ts';
import { createDelivery, type NotifierMetrics, type RetryOptions } from './delivery.ts';
import { createSilenceService, type MaintenanceWindow, type SilenceService } from './silences.ts';
import { createSilenceRepo } from '../store/silence-repo.ts';
import { route, type Routed } from './stages/route.ts';
import { silenceStage } from './stages/silence.ts';
import { dedupDecide } from './stages/dedup.ts';
import { repeatDecide, type ActiveAlertLike } from './stages/repeat.ts';
import { groupByChannel } from './stages/group.ts';
import { neverDue, type Pacer } from '../lib/slice.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';

export type { ActiveAlertLike } from './stages/repeat.ts';
export type { NotifierMetrics, RetryOptions, Outcome } from './delivery.ts';
export type { NotificationRecord } from '../store/notification-repo.ts';
export type { HistoryPage, HistoryEntry } from '../store/history-repo.ts';

export interface NotifierConfig {
  defaults: { channels: string[]; repeatIntervalMs: number; sendResolved: boolean };
  /** alert (rule) name → its own channels; rules without an entry use defaults.channels */
  ruleChannels: Record<string, readonly string[] | undefined>;
  maintenance: readonly MaintenanceWindow[];
}

/** The notifier's slice of alerts.yaml. */
export function notifierConfigFromConfig(cfg: Pick<Config, 'defaults' | 'rules' | 'maintenance'>): NotifierConfig {
  const ruleChannels: Record<string, readonly string[] | undefined> = {};
  for (const r of cfg.rules) if (r.channels !== undefined) ruleChannels[r.alert] = r.channels;
  return {
    defaults: { channels: cfg.defaults.channels, repeatIntervalMs: cfg.defaults.repeat_interval, sendResolved: cfg.defaults.send_resolved },
    ruleChannels,
    maintenance: cfg.maintenance,
  };
}

export interface NotifierDeps {
  db: Db;
  /** channel name → channel; read on every use, so the caller may replace entries on reload */
  channels: ReadonlyMap<string, Channel>;
  config: NotifierConfig;
  clock: Clock;
  logger: Logger;
  metrics?: NotifierMetrics | undefined;
  retry?: Partial<RetryOptions> | undefined;
  /** strings scrubbed from stored errors (channel tokens, passwords) in addition to redactText's patterns */
  secrets?: (() => Iterable<string>) | undefined;
  /** delivered/failed outbox rows and silences ended longer ago than this are pruned (history after 4×); default 7 days */
  retentionMs?: number | undefined;
}

export interface Notifier {
  /**
   * One evaluation: events the engine emitted, and its active alerts (for reminders). Writes the outbox, then sends.
   * Paced (src/lib/slice.ts): database writes are short transactions (a chunk of rows each) and a pause only ever
   * falls between two of them. Write order favours at-least-once: history, then each channel's outbox row, then the
   * notification records; a crash between them can repeat a notification, never lose one. Calls must not overlap
   * (the caller serialises evaluations).
   */
  process(events: AlertEvent[], firing: readonly ActiveAlertLike[], pacer?: Pacer): Promise<void>;
  /** delivers rows left pending by a previous run, then keeps delivering */
  start(): void;
  /** stops delivery; rows in flight stay pending for the next start */
  stop(): Promise<void>;
  /** waits until no channel loop is sending (for tests and graceful shutdown) */
  flush(): Promise<void>;
  queueDepth(): number;
  setConfig(cfg: NotifierConfig): void;
  readonly silences: SilenceService;
  /** per channel: status, attempts, last error (redacted), delivered_at of this alert's latest notification */
  records(fingerprint: string): NotificationRecord[];
  history(limit: number, offset: number): HistoryPage;
  /** one alert's episodes, newest first */
  historyOf(fingerprint: string, limit?: number): HistoryEntry[];
}

const key = (fp: string, ch: string) => `${fp}\u0000${ch}`;

export function createNotifier(deps: NotifierDeps): Notifier {
  const { db, clock, logger } = deps;
  let config = deps.config;
  const secrets = deps.secrets ?? (() => []);
  const outbox = createOutbox(db, secrets);
  const notifications = createNotificationRepo(db);
  const history = createHistoryRepo(db);
  const silences = createSilenceService({ db, clock, maintenance: config.maintenance });
  const reportDepth = () => deps.metrics?.onQueueDepth(outbox.depth());
  const delivery = createDelivery({
    outbox,
    channels: deps.channels,
    clock,
    logger,
    metrics: deps.metrics,
    retry: deps.retry,
    secrets,
    onSettled: reportDepth,
  });

  // only channels that exist (inactive ones, with an empty credential, are reported by the caller, not queued)
  const channelsFor = (alert: string, own?: readonly string[]) =>
    (own ?? config.ruleChannels[alert] ?? config.defaults.channels).filter((ch) => deps.channels.has(ch));

  /** a channel type whose far end needs resolved notices (Alertmanager) always gets them (channels/registry.ts) */
  const sendResolvedOn = (ch: string) => {
    if (config.defaults.sendResolved) return true;
    const type = deps.channels.get(ch)?.type;
    return type !== undefined && kindOfType(type).alwaysSendsResolved;
  };
  const intervalOn = (ch: string) => {
    const resend = deps.channels.get(ch)?.resendIntervalMs;
    const repeat = config.defaults.repeatIntervalMs;
    if (resend !== undefined && resend > 0) return repeat > 0 ? Math.min(repeat, resend) : resend;
    return repeat;
  };

  /** Keeps the database bounded: finished outbox rows, closed history episodes and long-ended silences age out. */
  let lastPrune = -Infinity;
  const silenceRepo = createSilenceRepo(db);
  function prune(): void {
    const now = clock.now();
    lastPrune = now;
    const retention = deps.retentionMs ?? 7 * 86_400_000;
    const counts = { outbox: outbox.prune(now - retention), history: history.prune(now - 4 * retention), silences: silenceRepo.prune(now - retention) };
    if (counts.outbox + counts.history + counts.silences > 0) logger.info({ pruned: counts }, 'pruned old rows');
  }

  /** fingerprint\0channel → its notification state (null: known to have none) */
  const stateCache = new Map<string, NotificationState | null>();

  /** settles once every deferred kick so far has run */
  let kicking: Promise<void> = Promise.resolve();
  /**
   * rows per write transaction: 200 rows took 2–6 ms with the COMMIT (a WAL checkpoint adds up to 2 ms), so every
   * chunk overran a 1–2 ms slice; 50 rows are ≈ 0.5 ms plus the COMMIT (bench/README.md, perf-metrics section)
   */
  const CHUNK = 50;

  async function processEvents(events: AlertEvent[], firing: readonly ActiveAlertLike[], pacer: Pacer = neverDue): Promise<void> {
    const now = clock.now();
    if (now - lastPrune >= 3_600_000) prune();
    const mutedBy = silences.matcherAt(now);
    // the notifier is the only writer of notification records, so its cache is the truth; misses read the db once
    const overlay = stateCache;
    const dirty = new Set<string>();
    const lookup = (fp: string, ch: string) => {
      const k = key(fp, ch);
      let st = overlay.get(k);
      if (st === undefined) {
        st = notifications.get(fp, ch) ?? null;
        overlay.set(k, st);
      }
      return st ?? undefined;
    };
    const put = (st: NotificationState) => {
      const k = key(st.fingerprint, st.channel);
      overlay.set(k, st);
      dirty.add(k);
    };
    const queuedCache = new Map<number, boolean>();
    const isQueued = (id: number | null) => {
      if (id === null) return false;
      let q = queuedCache.get(id);
      if (q === undefined) queuedCache.set(id, (q = outbox.statusOf(id) === 'pending'));
      return q;
    };

    const touched: string[] = [];
    try {
      // route → silence
      // a resolution also goes wherever the firing went, even if a reload has since routed the rule elsewhere
      const channelsForEvent = (e: AlertEvent) => {
        const own = channelsFor(e.alert);
        if (e.kind !== 'resolved') return own;
        const told = [...deps.channels.keys()].filter((ch) => !own.includes(ch) && lookup(e.fingerprint, ch)?.firingSent);
        return told.length ? [...own, ...told] : own;
      };
      const { kept, silenced } = silenceStage(route(events, channelsForEvent), mutedBy);
      if (pacer.due()) await pacer.yield();
      for (const { channel, event } of silenced) {
        const prev = lookup(event.fingerprint, channel);
        put({
          fingerprint: event.fingerprint,
          channel,
          alert: event.alert,
          kind: event.kind,
          firingSent: event.kind === 'firing' ? (prev?.firingSent ?? false) : false,
          silenced: true,
          outboxId: prev?.outboxId ?? null,
          notifiedAt: prev?.notifiedAt ?? null,
          event,
        });
        deps.metrics?.onOutcome(channel, 'silenced', 0);
        if (pacer.due()) await pacer.yield();
      }

      // dedup
      const toSend: Routed[] = [];
      for (const item of kept) {
        const prev = lookup(item.event.fingerprint, item.channel);
        const d = dedupDecide(item, prev, sendResolvedOn(item.channel));
        if (d.send) {
          toSend.push(item);
          // provisional; outboxId and notifiedAt are set once the row exists
          put({ ...stateFor(item, prev), kind: item.event.kind, firingSent: item.event.kind === 'firing', silenced: false });
        } else if (item.event.kind === 'resolved') {
          put({ ...stateFor(item, prev), kind: 'resolved', firingSent: false, silenced: false });
        }
        if (pacer.due()) await pacer.yield();
      }
      // a channel told of the firing that a reload has since removed cannot hear the resolution; its record is
      // closed anyway, so the alert firing again once the channel is back is notified as new
      for (const event of events) {
        if (event.kind !== 'resolved') continue;
        for (const ch of notifications.firingSentChannels(event.fingerprint)) {
          if (deps.channels.has(ch)) continue;
          const prev = lookup(event.fingerprint, ch);
          if (prev?.firingSent) put({ ...prev, kind: 'resolved', firingSent: false, silenced: false, event });
        }
        if (pacer.due()) await pacer.yield();
      }

      // repeat: reminders and firing alerts not yet notified (a silence ended)
      for (const a of firing) {
        if (a.state !== 'firing') continue;
        const muted = mutedBy(a.labels) !== undefined;
        for (const ch of new Set(channelsFor(a.alert, a.channels))) {
          const prev = lookup(a.fingerprint, ch);
          if (muted) {
            if (prev && !prev.silenced) put({ ...prev, silenced: true });
            continue;
          }
          const r = repeatDecide(
            a,
            prev && { firingSent: prev.firingSent, notifiedAt: prev.notifiedAt, queued: isQueued(prev.outboxId), event: prev.event },
            intervalOn(ch),
            now,
          );
          if (!r.send) {
            if (prev?.silenced) put({ ...prev, silenced: false });
            continue;
          }
          const item = { channel: ch, event: r.event };
          toSend.push(item);
          put({ ...stateFor(item, prev), kind: 'firing', firingSent: true, silenced: false });
        }
        if (pacer.due()) await pacer.yield();
      }

      // writes: history; then per channel its outbox row, then the records of the alerts it carries; then the
      // remaining records (silenced, resolved-but-not-sent). Every transaction is a short chunk. A crash or a
      // failed write between a row and its records can repeat that channel's message, never lose it: the row
      // (what is sent) is always written before the records (what dedup reads).
      for (let i = 0; i < events.length; i += CHUNK) {
        db.tx(() => {
          for (const e of events.slice(i, i + CHUNK)) history.record(e, now);
        });
        if (pacer.due()) await pacer.yield();
      }
      const groups = await groupByChannel(toSend, pacer);
      if (pacer.due()) await pacer.yield();
      for (const [ch, evs] of groups) {
        const id = db.tx(() => outbox.enqueue(ch, evs, now));
        touched.push(ch);
        if (pacer.due()) await pacer.yield();
        for (let i = 0; i < evs.length; i += CHUNK) {
          const chunk = evs.slice(i, i + CHUNK);
          db.tx(() => {
            for (const e of chunk) {
              const k = key(e.fingerprint, ch);
              const st = overlay.get(k);
              if (!st) continue;
              const next = { ...st, outboxId: id, notifiedAt: now, event: e };
              notifications.upsert(next, now);
              overlay.set(k, next);
            }
          });
          for (const e of chunk) dirty.delete(key(e.fingerprint, ch)); // committed: the cache matches the db
          if (pacer.due()) await pacer.yield();
        }
      }
      const rest = [...dirty];
      for (let i = 0; i < rest.length; i += CHUNK) {
        const chunk = rest.slice(i, i + CHUNK);
        db.tx(() => {
          for (const k of chunk) notifications.upsert(overlay.get(k)!, now);
        });
        for (const k of chunk) dirty.delete(k);
        if (pacer.due()) await pacer.yield();
      }
    } catch (err) {
      // a write failed: forget what this call cached and did not commit, so the db stays the truth; alerts whose
      // records committed are not queued again when the caller retries the events (dedup sees their records)
      for (const k of dirty) stateCache.delete(k);
      throw err;
    } finally {
      // rows already written are sent even if a later write failed
      if (touched.length > 0) logger.debug({ channels: touched, events: events.length }, 'notifications queued');
      reportDepth();
      // each channel's send starts after this evaluation, in its own turn of the event loop (an immediate queued
      // by an immediate runs after the next I/O poll), so formatting four large messages is four short stalls
      const kicked = new Promise<void>((done) => {
        const next = (i: number) => {
          if (i >= touched.length) return done();
          setImmediate(() => {
            delivery.kick(touched[i]!);
            next(i + 1);
          });
        };
        next(0);
      });
      kicking = Promise.all([kicking, kicked]).then(() => undefined);
    }
  }

  function stateFor(item: Routed, prev: NotificationState | undefined): NotificationState {
    return {
      fingerprint: item.event.fingerprint,
      channel: item.channel,
      alert: item.event.alert,
      kind: item.event.kind,
      firingSent: prev?.firingSent ?? false,
      silenced: prev?.silenced ?? false,
      outboxId: prev?.outboxId ?? null,
      notifiedAt: prev?.notifiedAt ?? null,
      event: item.event,
    };
  }

  return {
    process: processEvents,
    start() {
      prune();
      outbox.dueNow(clock.now());
      const pending = outbox.depth();
      if (pending > 0) logger.info({ pending }, 'delivering notifications left pending by a previous run');
      reportDepth();
      delivery.start();
    },
    stop: () => delivery.stop(),
    // kicks are deferred (one event-loop turn each): let those already queued run first
    flush: () => nextTurn().then(() => kicking).then(() => delivery.idle()),
    queueDepth: () => outbox.depth(),
    setConfig(cfg) {
      config = cfg;
      silences.setMaintenance(cfg.maintenance);
    },
    silences,
    records: (fp) => notifications.records(fp).map((r) => ({ ...r, lastError: r.lastError === null ? null : redactText(r.lastError, secrets()) })),
    history: (limit, offset) => history.page(limit, offset),
    historyOf: (fp, limit = 50) => history.forFingerprint(fp, limit),
  };
}
