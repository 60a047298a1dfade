/**
 * The dashboard's view of the probed services, kept in memory from the probe results as they arrive (the
 * sidecar's probe-result listeners): the latest check, the version found, the last checks, uptime over the
 * checks kept, and down / up / version events. Bounded: `keep` checks and 100 events per service; a service no
 * longer configured is dropped at the next list().
 *
 * Uptime is over the checks kept in memory since start (at most `keep`), not over the full 24 h / 7 d / 30 d:
 * a store of probe history replaces this adapter when it lands (same ServiceViewSource contract).
 */
import type { Transition } from '../../probes/incident.ts';
import type { ProbeResult, ServiceDefinition } from '../../probes/types.ts';
import type { StatusModel } from '../../status/status.ts';
import { redactText } from '../../lib/redact.ts';
import { statusOf } from './adapters.ts';
import type { CheckMark, ServiceDetailView, ServiceEventView, ServiceView, ServiceViewSource } from './views.ts';

const MAX_EVENTS = 100;
const H24 = 86_400_000;

interface Kept {
  checks: CheckMark[];
  /** newest last */
  events: ServiceEventView[];
  version: string | null;
  latencyMs: number | null;
}

export interface LiveServiceViews extends ServiceViewSource {
  /** pass every probe result and its transitions (a probe-result listener) */
  record(r: ProbeResult, transitions: readonly Transition[]): void;
}

export function liveServiceViews(deps: { definitions: () => readonly ServiceDefinition[]; status: Pick<StatusModel, 'get'>; now: () => number; keep?: number }): LiveServiceViews {
  const keep = deps.keep ?? 1000;
  const kept = new Map<string, Kept>();
  const entry = (id: string): Kept => {
    let k = kept.get(id);
    if (!k) kept.set(id, (k = { checks: [], events: [], version: null, latencyMs: null }));
    return k;
  };
  /** the open event's duration ends when the next one starts */
  const push = (k: Kept, e: ServiceEventView) => {
    const prev = k.events.at(-1);
    if (prev && prev.durationMs === null && e.kind !== 'version' && prev.kind !== 'version') prev.durationMs = e.at - prev.at;
    k.events.push(e);
    if (k.events.length > MAX_EVENTS) k.events.shift();
  };
  const uptime = (checks: readonly CheckMark[], from: number): number | null => {
    let ok = 0;
    let n = 0;
    for (let i = checks.length - 1; i >= 0 && checks[i]!.timestamp >= from; i--) {
      n++;
      if (checks[i]!.ok) ok++;
    }
    return n === 0 ? null : ok / n;
  };
  const view = (d: ServiceDefinition, now: number): ServiceView => {
    const k = kept.get(d.id);
    const checks = k?.checks ?? [];
    const version = k?.version ?? null;
    return {
      id: d.id,
      name: d.name,
      environment: d.environment,
      status: statusOf(deps.status, 'service', d.id),
      latencyMs: k?.latencyMs ?? null,
      version,
      expectedVersion: d.expectedVersion,
      drift: d.expectedVersion !== null && version !== null && version !== d.expectedVersion,
      uptime: { h24: uptime(checks, now - H24), d7: uptime(checks, now - 7 * H24), d30: uptime(checks, now - 30 * H24) },
      last50: checks.slice(-50),
    };
  };
  return {
    record(r, transitions) {
      const k = entry(r.serviceId);
      k.checks.push({ ok: r.ok, latencyMs: r.latencyMs, timestamp: r.timestamp });
      if (k.checks.length > keep) k.checks.splice(0, k.checks.length - keep);
      k.latencyMs = r.latencyMs;
      if (r.version !== null) k.version = r.version;
      for (const t of transitions) {
        if (t.kind === 'incident_open') push(k, { kind: 'down', at: t.at, durationMs: null, detail: `${t.reason ?? 'failed'}${t.errorCode ? ` (${t.errorCode})` : ''}${t.errorMessage ? `: ${t.errorMessage}` : ''}` });
        else if (t.kind === 'incident_close') push(k, { kind: 'up', at: t.at, durationMs: null, detail: `back after ${t.failedChecks} failed checks` });
        else if (t.kind === 'version_change') push(k, { kind: 'version', at: t.at, durationMs: null, detail: `${t.from} → ${t.to}` });
      }
    },
    list() {
      const now = deps.now();
      const defs = deps.definitions();
      if (kept.size > defs.length) for (const id of kept.keys()) if (!defs.some((d) => d.id === id)) kept.delete(id);
      return defs.map((d) => view(d, now));
    },
    get(id): ServiceDetailView | undefined {
      const d = deps.definitions().find((x) => x.id === id);
      if (!d) return undefined;
      const k = kept.get(id);
      return { ...view(d, deps.now()), url: redactText(d.url, Object.values(d.headers)), series: [...(k?.checks ?? [])], events: [...(k?.events ?? [])].reverse() };
    },
  };
}
