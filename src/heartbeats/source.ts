/**
 * The heartbeat source: the tracker's state read as readings at every publish (a fed source: pings feed the
 * tracker, nothing here samples).
 *
 * Rules cannot know each job's allowed_misses or fail_threshold, so the per-job decisions are readings too:
 * heartbeat_down (missed intervals once allowed_misses is reached, else 0), heartbeat_late (1 while
 * 0 < missed < allowed_misses), heartbeat_failing (consecutive failures once fail_threshold is reached, else 0),
 * heartbeat_run_overdue (1 while a started run is past run_timeout). A rule `> 0` on each is the alert.
 *
 * Pushed service metrics are served from the last push while the job keeps its heartbeat; once it has missed
 * `stale.pushed_after_misses` intervals they are left out, so a DOWN service raises no HIGH_CPU alert from its
 * last sample. service_up (only for services that push) is 0 once the heartbeat is down.
 */
import type { FedSource, MetricSpecs, SourceOutput } from '../sources/source.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import { PING_KINDS } from './state.ts';
import { assessJob, messagePreview, type HeartbeatTracker, type JobStatus } from './tracker.ts';

const JOB = ['service', 'environment'] as const;

export const HEARTBEAT_METRICS = {
  heartbeat_last_seen_timestamp_seconds: { type: 'gauge', help: 'Time of the last ping of any kind, in seconds since the Unix epoch; absent until the first ping.', labels: JOB },
  heartbeat_missed_intervals: { type: 'gauge', help: 'Consecutive heartbeat deadlines (interval + tolerance) missed since the last success or failure.', labels: JOB },
  heartbeat_down: { type: 'gauge', help: 'Missed intervals once they reach the job\'s allowed_misses, else 0 (alert when > 0).', labels: JOB },
  heartbeat_late: { type: 'gauge', help: '1 while the job has missed at least one deadline but fewer than allowed_misses, else 0.', labels: JOB },
  heartbeat_consecutive_failures: { type: 'gauge', help: 'Explicit failures (/fail or a non-zero exit code) since the last success.', labels: JOB },
  heartbeat_failing: { type: 'gauge', help: 'Consecutive failures once they reach the job\'s fail_threshold, else 0 (alert when > 0).', labels: JOB },
  heartbeat_run_overdue: { type: 'gauge', help: '1 while a started run has been running longer than the job\'s run_timeout, else 0.', labels: JOB },
  heartbeat_run_duration_seconds: { type: 'gauge', help: 'Duration of the last completed run: start ping to success ping with the same rid.', labels: JOB },
  heartbeat_pings_total: { type: 'counter', help: 'Pings received, by kind (success, start, fail).', labels: [...JOB, 'kind'] },
  service_up: { type: 'gauge', help: 'For services that push metrics: 1 while the heartbeat is kept, 0 once allowed_misses intervals are missed.', labels: JOB },
  service_cpu_usage_ratio: { type: 'gauge', help: 'CPU usage pushed by the service (0-1); absent once its heartbeat is missed.', labels: JOB },
  service_memory_usage_ratio: { type: 'gauge', help: 'Memory usage pushed by the service (0-1); absent once its heartbeat is missed.', labels: JOB },
  service_latency_seconds: { type: 'gauge', help: 'Latency pushed by the service, in seconds; absent once its heartbeat is missed.', labels: JOB },
  service_error_ratio: { type: 'gauge', help: 'Error rate pushed by the service (0-1); absent once its heartbeat is missed.', labels: JOB },
} as const satisfies MetricSpecs;

export type HeartbeatMetricName = keyof typeof HEARTBEAT_METRICS;

/** One job in /metrics/live and on the dashboard. Times are ISO 8601 (UTC) or null. */
export interface HeartbeatJobSummary {
  service: string;
  environment: string;
  labels: Record<string, string>;
  autoRegistered: boolean;
  /** from the tracker's state alone; the status model derives the shown status from firing alerts */
  status: JobStatus;
  intervalMs: number;
  toleranceMs: number;
  allowedMisses: number;
  failThreshold: number;
  runTimeoutMs: number | null;
  lastPingAt: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  nextDeadlineAt: string;
  missedIntervals: number;
  consecutiveFailures: number;
  lastExitCode: number | null;
  /** redacted, then cut to a preview */
  lastMessage: string | null;
  lastRunDurationMs: number | null;
  /** oldest run started and not yet ended */
  runStartedAt: string | null;
  runOverdue: boolean;
  pings: { success: number; start: number; fail: number };
  /** null when the service never pushed */
  pushed: { at: string; stale: boolean; cpuPercent: number | null; memoryPercent: number | null; latencyMs: number | null; errorRate: number | null } | null;
}

export interface HeartbeatSummary {
  jobs: HeartbeatJobSummary[];
  autoRegistered: { count: number; max: number; enabled: boolean };
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
const pct = (ratio: number | undefined): number | null => (ratio === undefined ? null : Math.round(ratio * 100 * 1000) / 1000);

export function createHeartbeatSource(tracker: HeartbeatTracker): FedSource {
  // previews are cut once per message, so successive summaries share one string
  const previews = new Map<string, { message: string | null; preview: string | null }>();
  const preview = (service: string, message: string | null): string | null => {
    const cached = previews.get(service);
    if (cached && cached.message === message) return cached.preview;
    const p = messagePreview(message);
    previews.set(service, { message, preview: p });
    return p;
  };

  return {
    name: 'heartbeats',
    kind: 'heartbeat',
    fed: true,
    metrics: HEARTBEAT_METRICS,
    read(now: number): SourceOutput {
      const readings: Reading[] = [];
      const jobs: HeartbeatJobSummary[] = [];
      const policy = tracker.settings.policy;
      const seen = new Set<string>();
      for (const { job, state: s } of tracker.entries()) {
        seen.add(job.service);
        const a = assessJob(job, s, now, policy);
        const labels = { service: job.service, environment: job.environment };
        const add = (metric: string, value: number) => readings.push({ metric, labels, value });
        if (s.lastPingAt !== null) add('heartbeat_last_seen_timestamp_seconds', s.lastPingAt / 1000);
        add('heartbeat_missed_intervals', a.missed);
        add('heartbeat_down', a.down ? a.missed : 0);
        add('heartbeat_late', a.late ? 1 : 0);
        add('heartbeat_consecutive_failures', s.consecutiveFailures);
        add('heartbeat_failing', a.failing ? s.consecutiveFailures : 0);
        add('heartbeat_run_overdue', a.overdueRuns > 0 ? 1 : 0);
        const lastRun = s.runDurationsMs.length > 0 ? s.runDurationsMs[s.runDurationsMs.length - 1]! : null;
        if (lastRun !== null) add('heartbeat_run_duration_seconds', lastRun / 1000);
        for (const kind of PING_KINDS) readings.push({ metric: 'heartbeat_pings_total', labels: { ...labels, kind }, value: s.pings[kind] });
        const p = s.pushed;
        if (p) {
          add('service_up', a.down ? 0 : 1);
          if (!a.pushedStale) {
            if (p.cpu !== undefined) add('service_cpu_usage_ratio', p.cpu);
            if (p.memory !== undefined) add('service_memory_usage_ratio', p.memory);
            if (p.latencySeconds !== undefined) add('service_latency_seconds', p.latencySeconds);
            if (p.errorRate !== undefined) add('service_error_ratio', p.errorRate);
          }
        }
        jobs.push({
          service: job.service,
          environment: job.environment,
          labels: job.labels,
          autoRegistered: job.autoRegistered,
          status: a.status,
          intervalMs: job.intervalMs,
          toleranceMs: job.toleranceMs,
          allowedMisses: job.allowedMisses,
          failThreshold: job.failThreshold,
          runTimeoutMs: job.runTimeoutMs ?? null,
          lastPingAt: iso(s.lastPingAt),
          lastSuccessAt: iso(s.lastSuccessAt),
          lastFailureAt: iso(s.lastFailureAt),
          nextDeadlineAt: new Date(a.nextDeadlineAt).toISOString(),
          missedIntervals: a.missed,
          consecutiveFailures: s.consecutiveFailures,
          lastExitCode: s.lastExitCode,
          lastMessage: preview(job.service, s.lastMessage),
          lastRunDurationMs: lastRun,
          runStartedAt: iso(s.openRuns.length > 0 ? s.openRuns[0]!.startedAt : null),
          runOverdue: a.overdueRuns > 0,
          pings: { ...s.pings },
          pushed: p
            ? {
                at: new Date(p.at).toISOString(),
                stale: a.pushedStale,
                cpuPercent: pct(p.cpu),
                memoryPercent: pct(p.memory),
                latencyMs: p.latencySeconds === undefined ? null : Math.round(p.latencySeconds * 1e6) / 1000,
                errorRate: p.errorRate ?? null,
              }
            : null,
        });
      }
      if (previews.size > seen.size) for (const k of previews.keys()) if (!seen.has(k)) previews.delete(k);
      const summary: HeartbeatSummary = {
        jobs,
        autoRegistered: { count: tracker.autoRegisteredCount, max: policy.autoRegister.max, enabled: policy.autoRegister.enabled },
      };
      return { readings, summary };
    },
  };
}
