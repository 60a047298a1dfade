/**
 * What the dashboard shows, as small read-only views. The dashboard renders these and nothing else, so the
 * producers (snapshot store, alerting, probes, heartbeats) stay behind one narrow seam. Host, alerts and silences
 * are implemented in core-views.ts; services and heartbeats are supplied by their modules through
 * `ServiceViewSource` / `HeartbeatViewSource` (both optional: without them the sections show "none configured").
 *
 * Every string in a view may come from config, a probe or a ping: the renderer escapes all of them.
 */

export type TargetStatus = 'HEALTHY' | 'DEGRADED' | 'DOWN' | 'UNKNOWN';
export type TargetKind = 'host' | 'services' | 'heartbeats';

export interface HostPoint {
  /** epoch ms */
  takenAt: number;
  /** 0–1; null when the collector gave nothing this cycle */
  cpu: number | null;
  memory: number | null;
  load1: number | null;
  swap: number | null;
  /** mountpoint → used ratio (the fullest few) */
  filesystems: Record<string, number>;
}

export interface FilesystemView {
  mountpoint: string;
  device: string;
  fstype: string;
  sizeBytes: number;
  availBytes: number;
  usedRatio: number;
}

export interface HostView {
  status: TargetStatus;
  /** epoch ms of the latest snapshot; null before the first */
  takenAt: number | null;
  latest: HostPoint | null;
  /** oldest first */
  history: HostPoint[];
  load: { load1: number; load5: number; load15: number } | null;
  memory: { totalBytes: number; availableBytes: number } | null;
  /** fullest first, at most 5 */
  filesystems: FilesystemView[];
  /** collectors that failed in the latest cycle, with their (redacted) error */
  failedCollectors: { name: string; error: string }[];
}

export interface DeliveryView {
  channel: string;
  kind: 'firing' | 'resolved';
  /** pending | delivering | delivered | failed | silenced | none */
  status: string;
  attempts: number;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface ActiveAlertView {
  fingerprint: string;
  alert: string;
  severity: 'info' | 'warning' | 'critical';
  state: 'pending' | 'firing';
  summary: string;
  labels: Record<string, string>;
  value: number;
  threshold: number;
  /** epoch ms: pending since */
  activeSince: number;
  firingSince: number | null;
  /** id of the silence or maintenance window muting it */
  silencedBy: string | null;
}

export interface AlertHistoryView {
  fingerprint: string;
  alert: string;
  severity: string;
  summary: string;
  state: 'firing' | 'resolved';
  startsAt: number;
  endsAt: number | null;
  /** endsAt (or now, while firing) − startsAt */
  durationMs: number;
  deliveries: DeliveryView[];
}

export interface AlertsView {
  /** firing first, then pending; critical before warning before info */
  active: ActiveAlertView[];
  /** newest first, at most 50 */
  history: AlertHistoryView[];
  historyTotal: number;
  channels: { name: string; type: string; active: boolean; inactiveReason?: string }[];
  queueDepth: number;
}

export interface SilenceView {
  id: string;
  source: 'api' | 'config';
  status: 'active' | 'pending' | 'expired';
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface CheckMark {
  ok: boolean;
  latencyMs: number;
  /** epoch ms */
  timestamp: number;
}

export interface ServiceView {
  id: string;
  name: string;
  environment: string;
  status: TargetStatus;
  /** latest check; null before the first */
  latencyMs: number | null;
  version: string | null;
  expectedVersion: string | null;
  drift: boolean;
  /** 0–1; null when there is no check in the window */
  uptime: { h24: number | null; d7: number | null; d30: number | null };
  /** oldest first, at most 50 */
  last50: CheckMark[];
}

export interface ServiceEventView {
  kind: 'down' | 'up' | 'version';
  /** epoch ms */
  at: number;
  /** how long the state the event opened lasted (null: still going) */
  durationMs: number | null;
  /** e.g. "timeout: no answer within 5s", "1.2.0 → 1.3.0" */
  detail: string;
}

export interface ServiceDetailView extends ServiceView {
  url: string;
  /** oldest first */
  series: CheckMark[];
  /** newest first */
  events: ServiceEventView[];
}

export interface HeartbeatView {
  service: string;
  status: TargetStatus;
  lastPingAt: number | null;
  nextDeadlineAt: number | null;
  missedIntervals: number;
  lastMessage: string | null;
  lastRunDurationMs: number | null;
}

export interface KindCounts {
  healthy: number;
  degraded: number;
  down: number;
  unknown: number;
}

export type StatusCounts = Record<TargetKind, KindCounts>;

/** What changed: the event stream re-renders only what a change touches. */
export type ViewChange = 'snapshot' | 'alerts';

export interface DashboardViews {
  host(): HostView;
  alerts(): AlertsView;
  silences(): SilenceView[];
  services(): ServiceView[];
  service(id: string): ServiceDetailView | undefined;
  heartbeats(): HeartbeatView[];
  statusCounts(): StatusCounts;
  /** 'snapshot' after each published snapshot (host, services and heartbeats move with it), 'alerts' after each evaluation */
  subscribe(fn: (change: ViewChange) => void): () => void;
}

/** The services part, implemented by the probes module. */
export interface ServiceViewSource {
  list(): ServiceView[];
  get(id: string): ServiceDetailView | undefined;
}

/** The heartbeats part, implemented by the heartbeat tracker. */
export interface HeartbeatViewSource {
  list(): HeartbeatView[];
}

export function countStatuses(statuses: Iterable<TargetStatus>): KindCounts {
  const c: KindCounts = { healthy: 0, degraded: 0, down: 0, unknown: 0 };
  for (const s of statuses) {
    if (s === 'HEALTHY') c.healthy++;
    else if (s === 'DEGRADED') c.degraded++;
    else if (s === 'DOWN') c.down++;
    else c.unknown++;
  }
  return c;
}

/** Demo mode only (`prodpulse demo`): the Demo panel's fault buttons, posted as JSON to `controlUrl`. */
export interface DemoPanel {
  targets: readonly { name: string; kind: 'service' | 'dependency'; faults: readonly string[] }[];
  /** same-origin path (CSP connect-src 'self'), e.g. /demo/fault */
  controlUrl: string;
  /** each target's current fault, NONE when healthy */
  state(): Record<string, string>;
}
