/**
 * The per-service state fed with probe results, in order: consecutive failures and successes, the open incident,
 * the last version found and version drift. `apply` returns the transitions of one check, so the caller logs
 * them (logTransitions, once each) and stores them; the metrics of src/probes/source.ts read the state.
 *
 * - An incident opens when consecutive failures reach failure_threshold and closes after success_threshold
 *   consecutive successes. Failed checks in between do not open another: a new incident needs a fresh streak.
 * - A version change (from → to) is a transition whenever a found version differs from the last one found,
 *   expected version or not. The first version ever seen is not a change.
 * - Drift needs both an expected and a found version. A check that reports no version (a failed check, an
 *   endpoint without one) changes nothing: the last version found stands, so an outage does not end a drift and
 *   start it again. A service that never reported a version never drifts.
 *
 * State lives in ProbeStates keyed by service id: keep the instance across hot reloads and call
 * `retain(ids)` with the services still configured.
 */
import { formatDuration } from '../lib/duration.ts';
import type { Logger } from '../lib/logger.ts';
import type { FailureReason, ProbeResult, ServiceDefinition } from './types.ts';

export type Transition =
  | { kind: 'incident_open'; serviceId: string; at: number; failures: number; reason: FailureReason | null; errorCode: string | null; errorMessage: string | null }
  | { kind: 'incident_close'; serviceId: string; at: number; openedAt: number; failedChecks: number; durationMs: number }
  | { kind: 'version_change'; serviceId: string; at: number; from: string; to: string }
  /** also when a drifting service moves to yet another unexpected version (then without a drift_end before it) */
  | { kind: 'drift_start'; serviceId: string; at: number; expected: string; found: string }
  | { kind: 'drift_end'; serviceId: string; at: number; expected: string; found: string | null };

export interface OpenIncident {
  openedAt: number;
  /** consecutive failed checks of the streak that opened it (grows while that streak lasts) */
  streak: number;
  /** every failed check since it opened, the opening streak included */
  failedChecks: number;
  /** the failure that opened it (frozen: the alert's labels must not change while it fires) */
  reason: FailureReason | null;
  errorCode: string | null;
  errorMessage: string | null;
}

/** What a restart resumes a service's state from (see ProbeStates.seed). */
export interface ProbeSeed {
  lastVersion?: string | null;
  drift?: { expected: string; found: string };
  consecutiveFailures?: number;
  consecutiveSuccesses?: number;
  incident?: OpenIncident;
  streakOpen?: boolean;
}

export class ProbeState {
  consecutiveFailures = 0;
  consecutiveSuccesses = 0;
  incident: OpenIncident | undefined;
  /** the last version any check reported */
  lastVersion: string | null = null;
  /** the drift currently raised */
  drift: { expected: string; found: string } | undefined;
  /** the latest result applied */
  last: ProbeResult | undefined;
  #streakOpen = false;

  /** An incident open before a restart; `streakOpen`: no success since it opened, so its streak still grows. */
  resumeIncident(incident: OpenIncident, streakOpen: boolean): void {
    this.incident = { ...incident };
    this.#streakOpen = streakOpen;
  }

  /** Feeds one result (in check order); returns what changed. */
  apply(def: ServiceDefinition, r: ProbeResult): Transition[] {
    const out: Transition[] = [];
    const at = r.timestamp;
    this.last = r;
    if (r.ok) {
      this.consecutiveSuccesses++;
      this.consecutiveFailures = 0;
      this.#streakOpen = false;
      if (this.incident && this.consecutiveSuccesses >= def.successThreshold) {
        const inc = this.incident;
        this.incident = undefined;
        out.push({ kind: 'incident_close', serviceId: def.id, at, openedAt: inc.openedAt, failedChecks: inc.failedChecks, durationMs: Math.max(0, at - inc.openedAt) });
      }
    } else {
      this.consecutiveFailures++;
      this.consecutiveSuccesses = 0;
      if (this.incident) {
        this.incident.failedChecks++;
        if (this.#streakOpen) this.incident.streak = this.consecutiveFailures;
      } else if (this.consecutiveFailures >= def.failureThreshold) {
        this.#streakOpen = true;
        this.incident = {
          openedAt: at,
          streak: this.consecutiveFailures,
          failedChecks: this.consecutiveFailures,
          reason: r.reason,
          errorCode: r.errorCode ?? null,
          errorMessage: r.errorMessage,
        };
        out.push({ kind: 'incident_open', serviceId: def.id, at, failures: this.consecutiveFailures, reason: r.reason, errorCode: r.errorCode ?? null, errorMessage: r.errorMessage });
      }
    }

    if (r.version !== null) {
      if (this.lastVersion !== null && this.lastVersion !== r.version) out.push({ kind: 'version_change', serviceId: def.id, at, from: this.lastVersion, to: r.version });
      this.lastVersion = r.version;
    }
    const found = this.lastVersion;
    const expected = def.expectedVersion;
    const drifting = expected !== null && found !== null && expected !== found;
    const prev = this.drift;
    if (prev && !drifting) {
      this.drift = undefined;
      out.push({ kind: 'drift_end', serviceId: def.id, at, expected: prev.expected, found });
    } else if (drifting && (prev === undefined || prev.expected !== expected || prev.found !== found)) {
      // a drift to another version (or against a reloaded expectation) is a new drift
      this.drift = { expected, found };
      out.push({ kind: 'drift_start', serviceId: def.id, at, expected, found });
    }
    return out;
  }
}

/** Probe state of every service, keyed by id; survives reloads. */
export class ProbeStates {
  #states = new Map<string, ProbeState>();

  /** The state of one service, created on first use. */
  get(id: string): ProbeState {
    let s = this.#states.get(id);
    if (s === undefined) this.#states.set(id, (s = new ProbeState()));
    return s;
  }

  peek(id: string): ProbeState | undefined {
    return this.#states.get(id);
  }

  has(id: string): boolean {
    return this.#states.has(id);
  }

  /**
   * Starts a service from what history knows (src/wiring/probe-resume.ts), so a restart neither misses a version
   * change nor announces a drift again, and an incident open at shutdown goes on (same alert, no second one).
   */
  seed(id: string, seed: ProbeSeed): void {
    const s = this.get(id);
    if (seed.lastVersion !== undefined) s.lastVersion = seed.lastVersion;
    if (seed.drift !== undefined) s.drift = { ...seed.drift };
    if (seed.consecutiveFailures !== undefined) s.consecutiveFailures = seed.consecutiveFailures;
    if (seed.consecutiveSuccesses !== undefined) s.consecutiveSuccesses = seed.consecutiveSuccesses;
    if (seed.incident !== undefined) s.resumeIncident(seed.incident, seed.streakOpen ?? false);
  }

  /** Forgets services not in `ids` (removed or renamed on reload). */
  retain(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of this.#states.keys()) if (!keep.has(id)) this.#states.delete(id);
  }

  delete(id: string): void {
    this.#states.delete(id);
  }

  get size(): number {
    return this.#states.size;
  }

  ids(): string[] {
    return [...this.#states.keys()];
  }
}

/**
 * One log line per transition, in the earlier monitors' words (log-based alarms grep for them):
 *   error  CRITICAL INCIDENT: payments failed 3 consecutive checks (connect: ECONNREFUSED)
 *   info   RECOVERED: payments after 3 failed checks (down 1m30s)
 *   warn   VERSION DRIFT: payments expected 2.1.0, found 2.2.0
 *   info   VERSION DRIFT RESOLVED: payments expected 2.1.0, found 2.1.0
 *   info   VERSION CHANGE: payments 2.1.0 -> 2.2.0
 * The service's name is used (the array format has no ids); `service` in the fields is the id.
 */
export function logTransitions(logger: Logger, def: ServiceDefinition, transitions: readonly Transition[]): void {
  for (const t of transitions) {
    const fields = { service: def.id, environment: def.environment, event: t.kind };
    switch (t.kind) {
      case 'incident_open':
        logger.error(
          { ...fields, reason: t.reason, errorCode: t.errorCode, error: t.errorMessage, failures: t.failures },
          `CRITICAL INCIDENT: ${def.name} failed ${t.failures} consecutive checks (${t.reason ?? 'unknown'}: ${t.errorCode ?? t.errorMessage ?? 'unknown'})`,
        );
        break;
      case 'incident_close':
        logger.info({ ...fields, failedChecks: t.failedChecks, durationMs: t.durationMs }, `RECOVERED: ${def.name} after ${t.failedChecks} failed checks (down ${formatDuration(t.durationMs)})`);
        break;
      case 'drift_start':
        logger.warn({ ...fields, expected: t.expected, found: t.found }, `VERSION DRIFT: ${def.name} expected ${t.expected}, found ${t.found}`);
        break;
      case 'drift_end':
        logger.info({ ...fields, expected: t.expected, found: t.found }, `VERSION DRIFT RESOLVED: ${def.name} expected ${t.expected}, found ${t.found ?? 'none'}`);
        break;
      case 'version_change':
        logger.info({ ...fields, from: t.from, to: t.to }, `VERSION CHANGE: ${def.name} ${t.from} -> ${t.to}`);
        break;
    }
  }
}
