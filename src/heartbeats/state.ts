/**
 * What the tracker knows about one job: plain data, persisted as is (heartbeats/repo.ts) and restored at
 * start. The tracker owns this type; the store and the source import it.
 */

/** Ping kinds as counted in heartbeat_pings_total{kind}; an exit code 1-255 counts as `fail`. */
export const PING_KINDS = ['success', 'start', 'fail'] as const;
export type PingKind = (typeof PING_KINDS)[number];

/** The last pushed service metrics, already as ratios and seconds. */
export interface PushedMetrics {
  /** epoch ms of the push */
  at: number;
  /** 0-1 */
  cpu?: number;
  /** 0-1 */
  memory?: number;
  latencySeconds?: number;
  /** 0-1 */
  errorRate?: number;
}

export interface OpenRun {
  /** '' when the start ping carried no rid */
  rid: string;
  startedAt: number;
}

export interface HeartbeatJobState {
  service: string;
  autoRegistered: boolean;
  /** first time the job was tracked: deadlines count from here until the first report */
  createdAt: number;
  /** any kind of ping */
  lastPingAt: number | null;
  /** last success or failure: deadlines count from here */
  lastReportAt: number | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  consecutiveFailures: number;
  lastExitCode: number | null;
  /** redacted, at most MAX_MESSAGE_CHARS */
  lastMessage: string | null;
  /** started runs not yet ended, oldest first, at most MAX_OPEN_RUNS */
  openRuns: OpenRun[];
  /** recent start→success durations in ms, oldest first, at most MAX_RUN_DURATIONS */
  runDurationsMs: number[];
  pings: Record<PingKind, number>;
  pushed: PushedMetrics | null;
}

export const MAX_MESSAGE_CHARS = 10 * 1024;
export const MAX_OPEN_RUNS = 16;
export const MAX_RUN_DURATIONS = 20;
/** rid values longer than this are refused (400) */
export const MAX_RID_LENGTH = 128;

export function newJobState(service: string, createdAt: number, autoRegistered: boolean): HeartbeatJobState {
  return {
    service,
    autoRegistered,
    createdAt,
    lastPingAt: null,
    lastReportAt: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    consecutiveFailures: 0,
    lastExitCode: null,
    lastMessage: null,
    openRuns: [],
    runDurationsMs: [],
    pings: { success: 0, start: 0, fail: 0 },
    pushed: null,
  };
}
