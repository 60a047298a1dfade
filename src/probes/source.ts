/**
 * One scheduled source per service: each run is one check (bounded by the shared Limiter), fed to the service's
 * ProbeState; the transitions are logged once and handed to `onResult` with the result (history, events); the
 * readings follow blackbox_exporter's names, plus two gauges the shipped rules use because thresholds are per
 * service: probe_incident and probe_slow_seconds.
 */
import { redactText } from '../lib/redact.ts';
import type { Logger } from '../lib/logger.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import type { MetricSpecs, ScheduledSource } from '../sources/source.ts';
import { logTransitions, type ProbeState, type ProbeStates, type Transition } from './incident.ts';
import type { Limiter } from './limiter.ts';
import { probeOnce, type AgentPool } from './probe.ts';
import type { FailureReason, ProbeResult, ServiceDefinition } from './types.ts';

/** The source's timeout beyond the check's own: room for a short wait in the Limiter's queue. */
export const SOURCE_TIMEOUT_MARGIN_MS = 1000;

const L = ['service', 'environment'] as const;
export const PROBE_METRICS = {
  probe_success: { type: 'gauge', help: 'Whether the last check of the service succeeded (1) or failed (0).', labels: L },
  probe_duration_seconds: { type: 'gauge', help: 'How long the last check of the service took, redirects included, in seconds.', labels: L },
  probe_http_duration_seconds: {
    type: 'gauge',
    help: 'Duration of each phase of the last check in seconds: resolve, connect, tls, processing (to the first byte) and transfer; 0 when the phase did not happen.',
    labels: [...L, 'phase'],
  },
  probe_http_status_code: { type: 'gauge', help: 'HTTP status code of the last response of the service; 0 when none arrived.', labels: L },
  probe_consecutive_failures: { type: 'gauge', help: 'Consecutive failed checks of the service up to the last one.', labels: L },
  probe_version_info: {
    type: 'gauge',
    help: 'Always 1: the expected version of the service and the last version it reported (empty when none).',
    labels: [...L, 'expected', 'found'],
  },
  probe_version_drift: {
    type: 'gauge',
    help: 'Whether the last version the service reported differs from the expected one (1) or not (0); unknown versions never drift.',
    labels: [...L, 'expected', 'found'],
  },
  probe_failure_info: { type: 'gauge', help: 'Always 1 while the last check failed, labelled with its reason.', labels: [...L, 'reason'] },
  probe_incident: {
    type: 'gauge',
    help: 'While an incident is open (consecutive failures reached the service failure_threshold): the consecutive failed checks of the streak that opened it, labelled with its first failure; 0 when none.',
    labels: [...L, 'reason', 'detail'],
  },
  probe_slow_seconds: {
    type: 'gauge',
    help: 'Duration of the last check in seconds when it succeeded slower than the service degraded_latency; 0 otherwise.',
    labels: L,
  },
} as const satisfies MetricSpecs;

export const PROBE_PHASES = [
  ['resolve', 'resolveMs'],
  ['connect', 'connectMs'],
  ['tls', 'tlsMs'],
  ['processing', 'firstByteMs'],
  ['transfer', 'transferMs'],
] as const;

/** What /metrics/live and the dashboard show for a service. */
export interface ServiceSummary {
  id: string;
  name: string;
  /** without userinfo and header secrets */
  url: string;
  environment: string;
  up: boolean;
  statusCode: number | null;
  latencyMs: number;
  phases: ProbeResult['phases'];
  /** the last version the service reported (this check or an earlier one); null when never */
  version: string | null;
  expectedVersion: string | null;
  drift: boolean;
  slow: boolean;
  reason: FailureReason | null;
  errorMessage: string | null;
  consecutiveFailures: number;
  incidentOpen: boolean;
  /** ISO time the incident opened, when one is open */
  incidentSince: string | null;
  checkedAt: string;
}

export interface ServiceSourceDeps {
  states: ProbeStates;
  limiter: Limiter;
  agents: AgentPool;
  /** epoch ms */
  now(): number;
  logger: Logger;
  /** every published result with its transitions (history, events); a throw is logged, never fails the check */
  onResult(r: ProbeResult, transitions: readonly Transition[]): void;
}

export function createServiceSource(def: ServiceDefinition, deps: ServiceSourceDeps): ScheduledSource {
  return {
    name: `service:${def.id}`,
    kind: 'service',
    schedule: { intervalMs: def.intervalMs, timeoutMs: def.timeoutMs + SOURCE_TIMEOUT_MARGIN_MS },
    metrics: PROBE_METRICS,
    async collect(signal) {
      const r = await deps.limiter.run(() => probeOnce(def, { signal, now: deps.now, agents: deps.agents }), signal);
      // abandoned by the scheduler (it waited too long for a slot): not a failed check of the target
      if (signal.aborted) throw new Error(`check of ${def.id} abandoned: no result within ${def.timeoutMs + SOURCE_TIMEOUT_MARGIN_MS}ms`);
      const state = deps.states.get(def.id);
      const transitions = state.apply(def, r);
      logTransitions(deps.logger, def, transitions);
      try {
        deps.onResult(r, transitions);
      } catch (err) {
        deps.logger.error({ service: def.id, err: { message: (err as Error).message } }, 'storing a probe result failed');
      }
      return { readings: serviceReadings(def, r, state), summary: serviceSummary(def, r, state) };
    },
  };
}

export function isSlow(def: ServiceDefinition, r: ProbeResult): boolean {
  return r.ok && def.degradedLatencyMs !== undefined && r.latencyMs > def.degradedLatencyMs;
}

export function serviceReadings(def: ServiceDefinition, r: ProbeResult, state: ProbeState): Reading[] {
  const base = { service: def.id, environment: def.environment };
  const expected = def.expectedVersion ?? '';
  const found = state.lastVersion ?? '';
  const out: Reading[] = [
    { metric: 'probe_success', labels: base, value: r.ok ? 1 : 0 },
    { metric: 'probe_duration_seconds', labels: base, value: r.latencyMs / 1000 },
  ];
  for (const [phase, key] of PROBE_PHASES) out.push({ metric: 'probe_http_duration_seconds', labels: { ...base, phase }, value: (r.phases[key] ?? 0) / 1000 });
  out.push(
    { metric: 'probe_http_status_code', labels: base, value: r.statusCode ?? 0 },
    { metric: 'probe_consecutive_failures', labels: base, value: state.consecutiveFailures },
    { metric: 'probe_version_info', labels: { ...base, expected, found }, value: 1 },
    { metric: 'probe_version_drift', labels: { ...base, expected: state.drift?.expected ?? expected, found }, value: state.drift ? 1 : 0 },
  );
  if (!r.ok) out.push({ metric: 'probe_failure_info', labels: { ...base, reason: r.reason ?? 'other' }, value: 1 });
  const inc = state.incident;
  out.push(
    inc
      ? { metric: 'probe_incident', labels: { ...base, reason: inc.reason ?? 'other', detail: inc.errorCode ?? '' }, value: inc.streak }
      : { metric: 'probe_incident', labels: { ...base, reason: '', detail: '' }, value: 0 },
    { metric: 'probe_slow_seconds', labels: base, value: isSlow(def, r) ? r.latencyMs / 1000 : 0 },
  );
  return out;
}

export function serviceSummary(def: ServiceDefinition, r: ProbeResult, state: ProbeState): ServiceSummary {
  return {
    id: def.id,
    name: def.name,
    url: displayUrl(def),
    environment: def.environment,
    up: r.ok,
    statusCode: r.statusCode,
    latencyMs: r.latencyMs,
    phases: r.phases,
    version: state.lastVersion,
    expectedVersion: def.expectedVersion,
    drift: state.drift !== undefined,
    slow: isSlow(def, r),
    reason: r.reason,
    errorMessage: r.errorMessage,
    consecutiveFailures: state.consecutiveFailures,
    incidentOpen: state.incident !== undefined,
    incidentSince: state.incident ? new Date(state.incident.openedAt).toISOString() : null,
    checkedAt: new Date(r.timestamp).toISOString(),
  };
}

const SECRET_PARAM = /token|key|secret|pass|auth|sig|session|credential/i;

/**
 * The URL as shown anywhere outside the prober: no userinfo, query parameters that look like credentials
 * (`?api_key=…`, `token`, `signature`, …) replaced by REDACTED, no header secret that found its way into it.
 */
export function displayUrl(def: Pick<ServiceDefinition, 'url' | 'headers'>): string {
  let text = def.url;
  try {
    const u = new URL(def.url);
    u.username = '';
    u.password = '';
    for (const name of new Set(u.searchParams.keys())) if (SECRET_PARAM.test(name)) u.searchParams.set(name, 'REDACTED');
    text = u.toString();
  } catch {
    // not a URL: redact as text
  }
  return redactText(text, Object.values(def.headers));
}
