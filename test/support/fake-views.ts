import type {
  AlertsView,
  DashboardViews,
  HeartbeatView,
  HostView,
  ServiceDetailView,
  ServiceView,
  SilenceView,
  TargetStatus,
  ViewChange,
} from '../../src/http/dashboard/views.ts';
import { countStatuses } from '../../src/http/dashboard/views.ts';

/** Dashboard views whose state a test (or bench) sets by hand; `emit` announces a change like the real views do. */
export interface FakeViews extends DashboardViews {
  state: { host: HostView; alerts: AlertsView; silences: SilenceView[]; services: ServiceDetailView[]; heartbeats: HeartbeatView[] };
  emit(change: ViewChange): void;
  listeners(): number;
}

export function fakeService(i: number, now: number, over: Partial<ServiceDetailView> = {}): ServiceDetailView {
  const last50 = Array.from({ length: 50 }, (_, k) => ({ ok: k % 17 !== 5, latencyMs: 20 + ((i * 7 + k * 13) % 90), timestamp: now - (50 - k) * 30_000 }));
  const base: ServiceView = {
    id: `svc-${i}`,
    name: `service ${i}`,
    environment: ['production', 'staging', 'dev'][i % 3]!,
    status: (['HEALTHY', 'HEALTHY', 'HEALTHY', 'DEGRADED', 'DOWN'] as TargetStatus[])[i % 5]!,
    latencyMs: last50.at(-1)!.latencyMs,
    version: `1.${i % 4}.0`,
    expectedVersion: '1.0.0',
    drift: i % 4 !== 0,
    uptime: { h24: 0.99, d7: 0.995, d30: 0.9991 },
    last50,
  };
  return {
    ...base,
    url: `http://127.0.0.1:1/${i}`,
    series: last50,
    events: [
      { kind: 'down', at: now - 600_000, durationMs: 120_000, detail: 'timeout: no answer within 5s' },
      { kind: 'up', at: now - 480_000, durationMs: null, detail: 'back after 2m' },
      { kind: 'version', at: now - 3_600_000, durationMs: null, detail: '1.0.0 → 1.1.0' },
    ],
    ...over,
  };
}

export function createFakeViews(opts: { services?: number; now?: () => number } = {}): FakeViews {
  const now = opts.now ?? Date.now;
  const t = now();
  const listeners = new Set<(c: ViewChange) => void>();
  const history = Array.from({ length: 60 }, (_, k) => ({
    takenAt: t - (60 - k) * 1000,
    cpu: 0.2 + (k % 10) / 50,
    memory: 0.5,
    load1: 1.5,
    swap: 0.01,
    filesystems: { '/': 0.72, '/var': 0.4 },
  }));
  const state: FakeViews['state'] = {
    host: {
      status: 'HEALTHY',
      takenAt: t,
      latest: history.at(-1)!,
      history,
      load: { load1: 1.5, load5: 1.2, load15: 1 },
      memory: { totalBytes: 16 * 2 ** 30, availableBytes: 8 * 2 ** 30 },
      filesystems: [
        { mountpoint: '/', device: '/dev/sda1', fstype: 'ext4', sizeBytes: 100 * 2 ** 30, availBytes: 28 * 2 ** 30, usedRatio: 0.72 },
        { mountpoint: '/var', device: '/dev/sda2', fstype: 'ext4', sizeBytes: 50 * 2 ** 30, availBytes: 30 * 2 ** 30, usedRatio: 0.4 },
      ],
      failedCollectors: [],
    },
    alerts: { active: [], history: [], historyTotal: 0, channels: [], queueDepth: 0 },
    silences: [],
    services: Array.from({ length: opts.services ?? 0 }, (_, i) => fakeService(i, t)),
    heartbeats: [],
  };
  const strip = ({ url: _u, series: _s, events: _e, ...v }: ServiceDetailView): ServiceView => v;
  return {
    state,
    host: () => state.host,
    alerts: () => state.alerts,
    silences: () => state.silences,
    services: () => state.services.map(strip),
    service: (id) => state.services.find((s) => s.id === id),
    heartbeats: () => state.heartbeats,
    statusCounts: () => ({
      host: countStatuses([state.host.status]),
      services: countStatuses(state.services.map((s) => s.status)),
      heartbeats: countStatuses(state.heartbeats.map((h) => h.status)),
    }),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    emit(change) {
      for (const fn of listeners) fn(change);
    },
    listeners: () => listeners.size,
  };
}
