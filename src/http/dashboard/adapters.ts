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

/** Uptime reads hourly rollups; a page re-rendered every second reads them at most once a minute per service. */
const UPTIME_TTL_MS = 60_000;

export function serviceViews(services: ServicesForViews, status: Pick<StatusModel, 'get'>, now: () => number): ServiceViewSource {
  const uptimeCache = new Map<string, { at: number; value: ServiceView['uptime'] }>();
  const uptimeOf = (id: string): ServiceView['uptime'] => {
    const at = now();
    const hit = uptimeCache.get(id);
    if (hit && at - hit.at < UPTIME_TTL_MS) return hit.value;
    const u = services.history.uptime(id, at);
    const value = { h24: u['24h'].ratio, d7: u['7d'].ratio, d30: u['30d'].ratio };
    uptimeCache.set(id, { at, value });
    return value;
  };
  const view = (d: ServiceDefinition): ServiceView => {
    const r = services.latest(d.id);
    const version = r?.version ?? null;
    return {
      id: d.id,
      name: d.name,
      environment: d.environment,
      status: d.enabled ? statusOf(status, 'service', d.id) : 'UNKNOWN',
      latencyMs: r ? r.latencyMs : null,
      version,
      expectedVersion: d.expectedVersion,
      drift: d.expectedVersion !== null && version !== null && version !== d.expectedVersion,
      uptime: uptimeOf(d.id),
      last50: services.lastChecks(d.id),
    };
  };
  return {
    list: () => services.registry.list().map(view),
    get(id) {
      const d = services.registry.get(id);
      if (!d) return undefined;
      const at = now();
      const series = services.history.latencySeries(id, at - 24 * 3_600_000, at);
      const marks: CheckMark[] =
        series.resolution === 'raw'
          ? series.points.map((p) => ({ ok: p.ok, latencyMs: p.latencyMs, timestamp: p.timestamp }))
          : series.points.map((p) => ({ ok: p.failures === 0, latencyMs: p.avgMs ?? 0, timestamp: p.timestamp }));
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
