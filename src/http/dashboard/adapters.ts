/**
 * The dashboard's views of the parts that produce them: heartbeat jobs from the tracker, statuses from the status
 * model. The producers keep their own types; this is the one place that maps them to what the page shows.
 */
import { assessJob } from '../../heartbeats/tracker.ts';
import type { HeartbeatTracker } from '../../heartbeats/tracker.ts';
import type { StatusModel, TargetKind } from '../../status/status.ts';
import type { HeartbeatView, HeartbeatViewSource, TargetStatus } from './views.ts';

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
