/**
 * The dashboard's views of the parts that produce them: heartbeat jobs from the tracker, statuses from the status
 * model. The producers keep their own types; this is the one place that maps them to what the page shows.
 */
import { assessJob } from '../../heartbeats/tracker.ts';
import type { HeartbeatTracker } from '../../heartbeats/tracker.ts';
import type { StatusModel, TargetKind } from '../../status/status.ts';
import { displayUrl } from '../../probes/source.ts';
import type { ProbeResult, ServiceDefinition } from '../../probes/types.ts';
import type { ServiceRegistry } from '../../services/registry.ts';
import type { ProbeHistoryRepo } from '../../store/probe-history-repo.ts';
import type { CheckMark, HeartbeatView, HeartbeatViewSource, ServiceEventView, ServiceView, ServiceViewSource, TargetStatus } from './views.ts';

/** A target's status, UNKNOWN until the status model has seen it. */
export function statusOf(status: Pick<StatusModel, 'get'>, kind: TargetKind, target: string): TargetStatus {
  return status.get(kind, target)?.status ?? 'UNKNOWN';
}

export function heartbeatViews(tracker: HeartbeatTracker, status: Pick<StatusModel, 'get'>, now: () => number): HeartbeatViewSource {
  return {
    list(): HeartbeatView[] {
      const at = now();
      const out: HeartbeatView[] = [];
      for (const { job, state } of tracker.entries()) {
        const a = assessJob(job, state, at, tracker.settings.policy);
        out.push({
          service: job.service,
          status: statusOf(status, 'heartbeat', job.service),
          lastPingAt: state.lastPingAt,
          nextDeadlineAt: a.nextDeadlineAt,
          missedIntervals: a.missed,
          lastMessage: state.lastMessage,
          lastRunDurationMs: state.runDurationsMs.at(-1) ?? null,
        });
      }
      return out;
    },
  };
}

/** What the services view reads of src/services (its registry, history and latest results). */
export interface ServicesForViews {
  registry: Pick<ServiceRegistry, 'list' | 'get'>;
  history: Pick<ProbeHistoryRepo, 'uptime' | 'latencySeries' | 'events'>;
  latest(id: string): ProbeResult | undefined;
  lastChecks(id: string): CheckMark[];
}

/**
 * Uptime reads hourly rollups; a page re-rendered every second reads them at most once a minute per service, and
 * again at once when the service's status changed (an outage shows in its uptime without waiting a minute). A
 * service with no check stored yet is not cached: its first figures show as soon as they are written.
 */
const UPTIME_TTL_MS = 60_000;

const HOUR = 3_600_000;
/** the latency chart's span: hourly averages for the day, every check of the last RAW_SPAN_MS */
const CHART_SPAN_MS = 24 * HOUR;
const RAW_SPAN_MS = 6 * HOUR;

/**
 * The latency chart's points, oldest first: hourly averages for the whole hours of the last 24 h that end before
 * the last 6 h, then every check of the last 6 h (the store answers a 24 h range in hours only, which left a young
 * service with one point). Hours with no successful check are failed marks at 0 ms.
 */
export function latencyMarks(history: Pick<ProbeHistoryRepo, 'latencySeries'>, id: string, at: number): CheckMark[] {
  const rawFrom = at - RAW_SPAN_MS;
  const out: CheckMark[] = [];
  const hours = history.latencySeries(id, at - CHART_SPAN_MS, at);
  if (hours.resolution === 'hour') {
    for (const p of hours.points) if (p.timestamp + HOUR <= rawFrom) out.push({ ok: p.failures === 0, latencyMs: p.avgMs ?? 0, timestamp: p.timestamp });
  }
  const recent = history.latencySeries(id, rawFrom, at);
  if (recent.resolution === 'raw') for (const p of recent.points) out.push({ ok: p.ok, latencyMs: p.latencyMs, timestamp: p.timestamp });
  else for (const p of recent.points) if (p.timestamp + HOUR > rawFrom) out.push({ ok: p.failures === 0, latencyMs: p.avgMs ?? 0, timestamp: p.timestamp });
  return out;
}

export function serviceViews(services: ServicesForViews, status: Pick<StatusModel, 'get'>, now: () => number): ServiceViewSource {
  const uptimeCache = new Map<string, { at: number; status: TargetStatus; value: ServiceView['uptime'] }>();
  const uptimeOf = (id: string, st: TargetStatus): ServiceView['uptime'] => {
    const at = now();
    const hit = uptimeCache.get(id);
    if (hit && hit.status === st && at - hit.at < UPTIME_TTL_MS) return hit.value;
    const u = services.history.uptime(id, at);
    const value = { h24: u['24h'].ratio, d7: u['7d'].ratio, d30: u['30d'].ratio };
    if (value.d30 === null) uptimeCache.delete(id);
    else uptimeCache.set(id, { at, status: st, value });
    return value;
  };
  const view = (d: ServiceDefinition): ServiceView => {
    const r = services.latest(d.id);
    const version = r?.version ?? null;
    const st = d.enabled ? statusOf(status, 'service', d.id) : 'UNKNOWN';
    return {
      id: d.id,
      name: d.name,
      environment: d.environment,
      status: st,
      latencyMs: r ? r.latencyMs : null,
      version,
      expectedVersion: d.expectedVersion,
      drift: d.expectedVersion !== null && version !== null && version !== d.expectedVersion,
      uptime: uptimeOf(d.id, st),
      last50: services.lastChecks(d.id),
    };
  };
  return {
    list: () => services.registry.list().map(view),
    get(id) {
      const d = services.registry.get(id);
      if (!d) return undefined;
      const at = now();
      const marks = latencyMarks(services.history, id, at);
      // events newest first; each lasts until the next one of the same family (down/up, version)
      const stored = services.history.events(id, 100);
      const events: ServiceEventView[] = [];
      let nextState: number | null = null;
      let nextVersion: number | null = null;
      for (const e of stored) {
        if (e.kind === 'down' || e.kind === 'up') {
          events.push({ kind: e.kind, at: e.timestamp, durationMs: nextState === null ? null : nextState - e.timestamp, detail: e.detail });
          nextState = e.timestamp;
        } else if (e.kind === 'version_change') {
          events.push({ kind: 'version', at: e.timestamp, durationMs: nextVersion === null ? null : nextVersion - e.timestamp, detail: e.detail });
          nextVersion = e.timestamp;
        }
      }
      return { ...view(d), url: displayUrl(d), series: marks, events };
    },
  };
}
