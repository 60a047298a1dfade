import type { AlertQueries } from '../../notify/queries.ts';
import type { Clock } from '../../lib/clock.ts';
import type { ActiveAlert } from '../../rules/engine.ts';
import type { Reading, Snapshot } from '../../snapshot/snapshot.ts';
import type { SnapshotStore } from '../../snapshot/store.ts';
import {
  countStatuses,
  type ActiveAlertView,
  type AlertHistoryView,
  type AlertsView,
  type DashboardViews,
  type FilesystemView,
  type HeartbeatViewSource,
  type HostPoint,
  type HostView,
  type ServiceViewSource,
  type SilenceView,
  type TargetStatus,
  type ViewChange,
} from './views.ts';

export interface CoreViewsDeps {
  store: SnapshotStore;
  alerting: AlertQueries;
  clock: Clock;
  /** supplied by the probes module once wired; without it the services section is empty */
  services?: ServiceViewSource;
  /** supplied by the heartbeat tracker once wired */
  heartbeats?: HeartbeatViewSource;
  /** host points kept for the charts (default 720: an hour at 5 s) */
  historyPoints?: number;
  /** the host's status from the status model (src/status); without it, derived here from alerts without a target label */
  hostStatus?: () => TargetStatus | undefined;
}

export interface CoreViews extends DashboardViews {
  /** call after every rule evaluation: announces 'alerts' when what the alert list shows may have changed */
  evaluated(): void;
  /** stops listening to the store */
  close(): void;
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };
/** labels that name a target other than the host: alerts carrying one do not move the host's status */
const NON_HOST_LABELS = ['service', 'job', 'heartbeat', 'target'];
const TOP_FILESYSTEMS = 5;
/** an unchanged alert list is still re-announced this often (delivery retries, silences ending) */
const ALERTS_REFRESH_MS = 30_000;

/** Host, alerts and silences from the snapshot store and alerting; services and heartbeats from their sources. */
export function createCoreViews(deps: CoreViewsDeps): CoreViews {
  const { store, alerting, clock } = deps;
  const capacity = Math.max(2, deps.historyPoints ?? 720);
  const ring: HostPoint[] = [];
  const listeners = new Set<(c: ViewChange) => void>();
  const emit = (c: ViewChange) => {
    for (const fn of listeners) {
      try {
        fn(c);
      } catch {
        // one failing listener never stops the others
      }
    }
  };

  const unsubscribe = store.subscribe((s) => {
    ring.push(hostPoint(s));
    if (ring.length > capacity) ring.splice(0, ring.length - capacity);
    emit('snapshot');
  });

  const activeViews = (): ActiveAlertView[] => {
    const list = alerting.active();
    if (list.length === 0) return [];
    const muted = alerting.silences.matcherAt(clock.now());
    return list
      .map((a) => activeView(a, muted(a.labels)?.id ?? null))
      .sort((a, b) => (a.state === b.state ? 0 : a.state === 'firing' ? -1 : 1) || (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || a.activeSince - b.activeSince);
  };

  const hostStatus = (): TargetStatus => {
    if (!store.latest) return 'UNKNOWN';
    const fromModel = deps.hostStatus?.();
    if (fromModel !== undefined) return fromModel;
    let status: TargetStatus = 'HEALTHY';
    for (const a of alerting.active()) {
      if (a.state !== 'firing' || NON_HOST_LABELS.some((l) => a.labels[l] !== undefined)) continue;
      if (a.severity === 'critical') return 'DOWN';
      if (a.severity === 'warning') status = 'DEGRADED';
    }
    return status;
  };

  let lastAlertsKey = '';
  let lastAlertsAt = -Infinity;

  return {
    host(): HostView {
      const s = store.latest;
      const latest = ring.at(-1) ?? null;
      return {
        status: hostStatus(),
        takenAt: s?.takenAt ?? null,
        latest,
        history: [...ring],
        load: s ? loadOf(s.readings) : null,
        memory: s ? memoryOf(s.readings) : null,
        filesystems: s ? filesystemsOf(s.readings) : [],
        failedCollectors: s ? Object.entries(s.sections).flatMap(([name, sec]) => (sec.ok ? [] : [{ name, error: sec.error }])) : [],
      };
    },
    alerts(): AlertsView {
      const now = clock.now();
      const page = alerting.history(50, 0);
      const history: AlertHistoryView[] = page.items.map((h) => ({
        fingerprint: h.fingerprint,
        alert: h.alert,
        severity: h.severity,
        summary: h.summary,
        state: h.state,
        startsAt: h.startsAt,
        endsAt: h.endsAt,
        durationMs: Math.max(0, (h.endsAt ?? now) - h.startsAt),
        deliveries: alerting.records(h.fingerprint).map((r) => ({
          channel: r.channel,
          kind: r.kind,
          status: r.status,
          attempts: r.attempts,
          lastError: r.lastError,
          deliveredAt: r.deliveredAt,
        })),
      }));
      return {
        active: activeViews(),
        history,
        historyTotal: page.total,
        channels: alerting.channels().map((c) => ({ name: c.name, type: c.type, active: c.active, ...(c.inactiveReason ? { inactiveReason: c.inactiveReason } : {}) })),
        queueDepth: alerting.queueDepth(),
      };
    },
    silences(): SilenceView[] {
      return alerting.silences.list().map((s) => ({
        id: s.id,
        source: s.source,
        status: s.status,
        matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        createdBy: s.createdBy,
        comment: s.comment,
      }));
    },
    services: () => deps.services?.list() ?? [],
    service: (id) => deps.services?.get(id),
    heartbeats: () => deps.heartbeats?.list() ?? [],
    statusCounts() {
      return {
        host: countStatuses([hostStatus()]),
        services: countStatuses((deps.services?.list() ?? []).map((s) => s.status)),
        heartbeats: countStatuses((deps.heartbeats?.list() ?? []).map((h) => h.status)),
      };
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    evaluated() {
      if (listeners.size === 0) return;
      const now = clock.now();
      const active = activeViews();
      const key = `${active.map((a) => `${a.fingerprint}:${a.state}:${a.silencedBy ?? ''}`).join(',')}|${alerting.queueDepth()}`;
      if (key === lastAlertsKey && now - lastAlertsAt < ALERTS_REFRESH_MS) return;
      lastAlertsKey = key;
      lastAlertsAt = now;
      emit('alerts');
    },
    close() {
      unsubscribe();
      listeners.clear();
    },
  };
}

function activeView(a: ActiveAlert, silencedBy: string | null): ActiveAlertView {
  return {
    fingerprint: a.fingerprint,
    alert: a.alert,
    severity: a.severity,
    state: a.state === 'firing' ? 'firing' : 'pending',
    summary: a.summary,
    labels: a.labels,
    value: a.value,
    threshold: a.threshold,
    activeSince: a.activeSince,
    firingSince: a.firingSince ?? null,
    silencedBy,
  };
}

function value(readings: readonly Reading[], metric: string, labels?: Record<string, string>): number | null {
  for (const r of readings) {
    if (r.metric !== metric) continue;
    if (!labels || Object.entries(labels).every(([k, v]) => r.labels[k] === v)) return r.value;
  }
  return null;
}

function hostPoint(s: Snapshot): HostPoint {
  const filesystems: Record<string, number> = {};
  for (const f of filesystemsOf(s.readings)) filesystems[f.mountpoint] = f.usedRatio;
  return {
    takenAt: s.takenAt,
    cpu: value(s.readings, 'host_cpu_usage_ratio', { cpu: 'all' }),
    memory: value(s.readings, 'host_memory_used_ratio'),
    load1: value(s.readings, 'host_load1'),
    swap: value(s.readings, 'host_swap_used_ratio'),
    filesystems,
  };
}

function loadOf(readings: readonly Reading[]): HostView['load'] {
  const [l1, l5, l15] = ['host_load1', 'host_load5', 'host_load15'].map((m) => value(readings, m));
  return l1 === null || l1 === undefined ? null : { load1: l1, load5: l5 ?? 0, load15: l15 ?? 0 };
}

function memoryOf(readings: readonly Reading[]): HostView['memory'] {
  const total = value(readings, 'host_memory_total_bytes');
  const avail = value(readings, 'host_memory_available_bytes');
  return total === null ? null : { totalBytes: total, availableBytes: avail ?? 0 };
}

/** the fullest filesystems, fullest first */
export function filesystemsOf(readings: readonly Reading[]): FilesystemView[] {
  const byMount = new Map<string, FilesystemView>();
  const entry = (r: Reading) => {
    const mp = r.labels.mountpoint ?? '';
    let f = byMount.get(mp);
    if (!f) byMount.set(mp, (f = { mountpoint: mp, device: r.labels.device ?? '', fstype: r.labels.fstype ?? '', sizeBytes: 0, availBytes: 0, usedRatio: 0 }));
    return f;
  };
  for (const r of readings) {
    if (r.metric === 'host_filesystem_used_ratio') entry(r).usedRatio = r.value;
    else if (r.metric === 'host_filesystem_size_bytes') entry(r).sizeBytes = r.value;
    else if (r.metric === 'host_filesystem_avail_bytes') entry(r).availBytes = r.value;
  }
  return [...byMount.values()].sort((a, b) => b.usedRatio - a.usedRatio || a.mountpoint.localeCompare(b.mountpoint)).slice(0, TOP_FILESYSTEMS);
}
