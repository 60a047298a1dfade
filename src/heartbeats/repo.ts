import type { Db } from '../store/db.ts';
import type { HeartbeatJobState, OpenRun, PushedMetrics } from './state.ts';

/**
 * The heartbeat tracker's state per job (table heartbeat_jobs). Written in batches: `saveMany` upserts every dirty
 * job in one transaction, so the ping path never touches SQLite.
 */
export interface HeartbeatRepo {
  loadAll(): HeartbeatJobState[];
  /** upserts `states` and deletes `removed`, in one transaction */
  saveMany(states: Iterable<HeartbeatJobState>, removed: Iterable<string>, now: number): void;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toState(r: Row): HeartbeatJobState {
  const openRuns = parseJson<OpenRun[]>(r.open_runs, []).filter((x) => x && typeof x.rid === 'string' && Number.isFinite(x.startedAt));
  const durations = parseJson<number[]>(r.run_durations, []).filter((x) => Number.isFinite(x));
  return {
    service: String(r.service),
    autoRegistered: Number(r.auto_registered) === 1,
    createdAt: Number(r.created_at),
    lastPingAt: num(r.last_ping_at),
    lastReportAt: num(r.last_report_at),
    lastSuccessAt: num(r.last_success_at),
    lastFailureAt: num(r.last_failure_at),
    consecutiveFailures: Number(r.consecutive_failures),
    lastExitCode: num(r.last_exit_code),
    lastMessage: r.last_message === null || r.last_message === undefined ? null : String(r.last_message),
    openRuns,
    runDurationsMs: durations,
    pings: { success: Number(r.pings_success), start: Number(r.pings_start), fail: Number(r.pings_fail) },
    pushed: parseJson<PushedMetrics | null>(r.pushed, null),
  };
}

export function createHeartbeatRepo(db: Db): HeartbeatRepo {
  const s = {
    all: db.sql.prepare('SELECT * FROM heartbeat_jobs ORDER BY service'),
    upsert: db.sql.prepare(
      `INSERT INTO heartbeat_jobs (service, auto_registered, created_at, last_ping_at, last_report_at, last_success_at, last_failure_at,
         consecutive_failures, last_exit_code, last_message, open_runs, run_durations, pings_success, pings_start, pings_fail, pushed, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (service) DO UPDATE SET auto_registered = excluded.auto_registered, created_at = excluded.created_at,
         last_ping_at = excluded.last_ping_at, last_report_at = excluded.last_report_at, last_success_at = excluded.last_success_at,
         last_failure_at = excluded.last_failure_at, consecutive_failures = excluded.consecutive_failures,
         last_exit_code = excluded.last_exit_code, last_message = excluded.last_message, open_runs = excluded.open_runs,
         run_durations = excluded.run_durations, pings_success = excluded.pings_success, pings_start = excluded.pings_start,
         pings_fail = excluded.pings_fail, pushed = excluded.pushed, updated_at = excluded.updated_at`,
    ),
    delete: db.sql.prepare('DELETE FROM heartbeat_jobs WHERE service = ?'),
  };
  return {
    loadAll: () => s.all.all().map(toState),
    saveMany(states, removed, now) {
      db.tx(() => {
        for (const service of removed) s.delete.run(service);
        for (const j of states)
          s.upsert.run(
            j.service,
            j.autoRegistered ? 1 : 0,
            j.createdAt,
            j.lastPingAt,
            j.lastReportAt,
            j.lastSuccessAt,
            j.lastFailureAt,
            j.consecutiveFailures,
            j.lastExitCode,
            j.lastMessage,
            JSON.stringify(j.openRuns),
            JSON.stringify(j.runDurationsMs),
            j.pings.success,
            j.pings.start,
            j.pings.fail,
            j.pushed === null ? null : JSON.stringify(j.pushed),
            now,
          );
      });
    },
  };
}
