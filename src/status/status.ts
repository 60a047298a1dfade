/**
 * HEALTHY / DEGRADED / DOWN for every target (the host, each service, each heartbeat job), derived from the
 * alerts firing on it: a firing critical alert whose labels name the target → DOWN, a firing warning →
 * DEGRADED, none → HEALTHY. So the shipped rules decide the default meaning (ServiceDown after N failed checks,
 * VersionDrift, HeartbeatMissed, …) and a user's own rule moves a status too.
 *
 * Which target an alert is about: the kind of the source that produces the rule's metric (host_* → the host,
 * probe_* → a service, heartbeat_* and pushed service_* → a heartbeat job), and for services and jobs the
 * alert's `service` label.
 */
import type { SourceKind } from '../sources/source.ts';

export const STATUSES = ['HEALTHY', 'DEGRADED', 'DOWN'] as const;
export type Status = (typeof STATUSES)[number];
/** the kinds a status is kept for; the names used in prodpulse_status{kind} */
export type TargetKind = 'host' | 'service' | 'heartbeat';

export interface Target {
  kind: TargetKind;
  /** host name, service id or job name */
  target: string;
}

/** What the status model needs of an alert: the rule engine's firing alerts give it. */
export interface FiringAlert {
  alert: string;
  severity: 'info' | 'warning' | 'critical';
  labels: Record<string, string>;
  summary: string;
  /** epoch ms */
  since: number;
}

export interface StatusEntry extends Target {
  status: Status;
  /** epoch ms when it entered this status (or when the target first appeared) */
  since: number;
  /** the firing alerts behind the status, critical first */
  alerts: { alert: string; severity: string; summary: string; since: number }[];
}

export interface StatusChange extends Target {
  from: Status | undefined;
  to: Status;
  at: number;
}

export interface StatusDeps {
  /** the kind of source that produces a metric, from the sources' specs */
  kindOfMetric(metric: string): SourceKind | undefined;
  /** the metric a rule evaluates, by alert name */
  metricOfAlert(alert: string): string | undefined;
}

const key = (t: Target) => `${t.kind}\0${t.target}`;
const rank: Record<Status, number> = { HEALTHY: 0, DEGRADED: 1, DOWN: 2 };

/** The target an alert is about, or undefined when it names none of the known kinds. */
export function targetOf(a: FiringAlert, deps: StatusDeps, host: string): Target | undefined {
  const metric = deps.metricOfAlert(a.alert);
  const kind = metric === undefined ? undefined : deps.kindOfMetric(metric);
  if (kind === 'host' || kind === 'static') return { kind: 'host', target: host };
  if ((kind === 'service' || kind === 'heartbeat') && a.labels.service) return { kind, target: a.labels.service };
  return undefined;
}

export class StatusModel {
  readonly #deps: StatusDeps;
  #entries = new Map<string, StatusEntry>();
  readonly #listeners = new Set<(changes: StatusChange[]) => void>();

  constructor(deps: StatusDeps) {
    this.#deps = deps;
  }

  /**
   * Recomputes every status from the known targets and the alerts firing now; returns (and tells listeners)
   * what changed. A target no longer known disappears; a new one appears HEALTHY unless an alert says otherwise.
   */
  update(targets: readonly Target[], firing: readonly FiringAlert[], now: number): StatusChange[] {
    const host = targets.find((t) => t.kind === 'host')?.target ?? 'host';
    const byTarget = new Map<string, FiringAlert[]>();
    for (const a of firing) {
      if (a.severity === 'info') continue;
      const t = targetOf(a, this.#deps, host);
      if (!t) continue;
      const list = byTarget.get(key(t)) ?? [];
      list.push(a);
      byTarget.set(key(t), list);
    }
    const next = new Map<string, StatusEntry>();
    const changes: StatusChange[] = [];
    for (const t of targets) {
      const k = key(t);
      if (next.has(k)) continue;
      const alerts = (byTarget.get(k) ?? []).sort((a, b) => (a.severity === b.severity ? a.since - b.since : a.severity === 'critical' ? -1 : 1));
      const status: Status = alerts.some((a) => a.severity === 'critical') ? 'DOWN' : alerts.length > 0 ? 'DEGRADED' : 'HEALTHY';
      const prev = this.#entries.get(k);
      const since = prev && prev.status === status ? prev.since : now;
      next.set(k, { kind: t.kind, target: t.target, status, since, alerts: alerts.map((a) => ({ alert: a.alert, severity: a.severity, summary: a.summary, since: a.since })) });
      if (prev?.status !== status) changes.push({ kind: t.kind, target: t.target, from: prev?.status, to: status, at: now });
    }
    this.#entries = next;
    if (changes.length > 0) for (const fn of this.#listeners) fn(changes);
    return changes;
  }

  list(kind?: TargetKind): StatusEntry[] {
    const all = [...this.#entries.values()];
    return kind === undefined ? all : all.filter((e) => e.kind === kind);
  }

  get(kind: TargetKind, target: string): StatusEntry | undefined {
    return this.#entries.get(key({ kind, target }));
  }

  /** HEALTHY / DEGRADED / DOWN counts per kind. */
  counts(): Record<TargetKind, Record<Status, number>> {
    const zero = () => ({ HEALTHY: 0, DEGRADED: 0, DOWN: 0 });
    const out: Record<TargetKind, Record<Status, number>> = { host: zero(), service: zero(), heartbeat: zero() };
    for (const e of this.#entries.values()) out[e.kind][e.status]++;
    return out;
  }

  /** The worst status of a kind (HEALTHY when it has no targets). */
  worst(kind: TargetKind): Status {
    let w: Status = 'HEALTHY';
    for (const e of this.#entries.values()) if (e.kind === kind && rank[e.status] > rank[w]) w = e.status;
    return w;
  }

  subscribe(fn: (changes: StatusChange[]) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}
