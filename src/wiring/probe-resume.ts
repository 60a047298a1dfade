/**
 * What a service's probe state resumes from at start, read from its stored history, so a restart (a deploy, a
 * crash) in the middle of an outage neither resolves ServiceDown nor opens a second incident a few checks later,
 * and a drift already raised is not announced again:
 * - the trailing streak of failed (or successful) checks;
 * - the incident: open when the newest down/up event is `down` (its reason and detail, which are the labels of
 *   probe_incident and so of the alert's fingerprint, come back from the event's detail `reason: code`);
 * - the last version found, and the drift when the newest drift event raised it against the same expectation.
 * Counts are bounded by the checks read (RESUME_CHECKS), which is plenty for any failure_threshold.
 */
import type { OpenIncident, ProbeSeed } from '../probes/incident.ts';
import type { FailureReason, ServiceDefinition } from '../probes/types.ts';
import type { StoredCheck, StoredEvent } from '../store/probe-history-repo.ts';

/** checks read per service at start */
export const RESUME_CHECKS = 200;
/** events read per service at start */
export const RESUME_EVENTS = 100;

/**
 * @param checks the last checks, oldest first (ProbeHistoryRepo.lastChecks)
 * @param events the last events, newest first (ProbeHistoryRepo.events)
 */
export function probeSeedFromHistory(def: Pick<ServiceDefinition, 'expectedVersion'>, checks: readonly StoredCheck[], events: readonly StoredEvent[]): ProbeSeed {
  const seed: ProbeSeed = {};
  if (checks.length === 0 && events.length === 0) return seed;

  const newestVersion = [...checks].reverse().find((c) => c.version !== null)?.version ?? events.find((e) => e.kind === 'version_change')?.to ?? null;
  if (newestVersion !== null) seed.lastVersion = newestVersion;
  const driftEvent = events.find((e) => e.kind === 'drift_start' || e.kind === 'drift_end');
  if (driftEvent?.kind === 'drift_start' && driftEvent.from !== null && driftEvent.from === def.expectedVersion && driftEvent.to !== null && driftEvent.to === newestVersion) {
    seed.drift = { expected: driftEvent.from, found: driftEvent.to };
  }

  let failures = 0;
  let successes = 0;
  for (let i = checks.length - 1; i >= 0; i--) {
    if (checks[i]!.ok) {
      if (failures > 0) break;
      successes++;
    } else {
      if (successes > 0) break;
      failures++;
    }
  }
  seed.consecutiveFailures = failures;
  seed.consecutiveSuccesses = successes;

  const stateEvent = events.find((e) => e.kind === 'down' || e.kind === 'up');
  if (stateEvent?.kind === 'down') {
    const { reason, errorCode } = parseDetail(stateEvent.detail);
    const openedAt = stateEvent.timestamp;
    const since = checks.filter((c) => c.timestamp >= openedAt);
    const firstOkSince = since.findIndex((c) => c.ok);
    // the failures that led up to the opening check, then those after it until the first success
    let streakBefore = 0;
    for (let i = checks.length - since.length - 1; i >= 0 && !checks[i]!.ok; i--) streakBefore++;
    const streakOpen = firstOkSince < 0;
    const streak = streakOpen ? Math.max(failures, streakBefore + since.length) : streakBefore + firstOkSince;
    const opening = since[0]?.timestamp === openedAt ? since[0] : undefined;
    const incident: OpenIncident = {
      openedAt,
      streak: Math.max(1, streak),
      failedChecks: Math.max(1, streakBefore + since.filter((c) => !c.ok).length),
      reason,
      errorCode,
      errorMessage: opening?.errorMessage ?? null,
    };
    seed.incident = incident;
    seed.streakOpen = streakOpen;
  }
  return seed;
}

/** The `detail` of a down event is `reason` or `reason: code` (src/wiring/services.ts eventOf). */
function parseDetail(detail: string): { reason: FailureReason | null; errorCode: string } {
  if (detail === '') return { reason: null, errorCode: '' };
  const at = detail.indexOf(': ');
  return at < 0 ? { reason: detail as FailureReason, errorCode: '' } : { reason: detail.slice(0, at) as FailureReason, errorCode: detail.slice(at + 2) };
}
