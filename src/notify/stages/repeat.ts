import type { AlertEvent } from '../types.ts';
import type { ActiveAlert } from '../../rules/alert.ts';

/**
 * A firing alert as the rule engine lists it (its active set): the engine's ActiveAlert, with the extras used
 * when no earlier event is stored for the alert optional, and any severity text.
 */
export type ActiveAlertLike = Pick<ActiveAlert, 'fingerprint' | 'alert' | 'labels' | 'state' | 'value' | 'annotations'> & {
  severity: string;
} & { [K in 'channels' | 'firingSince' | 'activeSince' | 'threshold' | 'summary']?: ActiveAlert[K] | undefined };

export interface RepeatState {
  firingSent: boolean;
  /** epoch ms the last notification for this alert on this channel was queued */
  notifiedAt: number | null;
  /** the outbox row carrying it is still waiting for delivery */
  queued: boolean;
  /** the last event stored for the alert, if any */
  event?: AlertEvent | undefined;
}

export type RepeatDecision = { send: false } | { send: true; reason: 'reminder' | 'unsent'; event: AlertEvent };

/**
 * For one firing alert on one channel: re-send as a reminder when the last notification is older than intervalMs
 * (0 or less = never), or send it when no firing notification of this episode went out yet (e.g. a silence ended).
 * Nothing is sent while an earlier notification for it is still queued.
 */
export function repeatDecide(alert: ActiveAlertLike, state: RepeatState | undefined, intervalMs: number, now: number): RepeatDecision {
  if (alert.state !== 'firing') return { send: false };
  if (state?.queued) return { send: false };
  if (!state?.firingSent) return { send: true, reason: 'unsent', event: eventFromActive(alert, state?.event, now) };
  if (intervalMs <= 0 || state.notifiedAt === null) return { send: false };
  if (now - state.notifiedAt < intervalMs) return { send: false };
  return { send: true, reason: 'reminder', event: eventFromActive(alert, state.event, now) };
}

/** Builds a firing event from the engine's active alert, keeping the stored event's start time and threshold. */
export function eventFromActive(a: ActiveAlertLike, stored: AlertEvent | undefined, now: number): AlertEvent {
  const severity = (['info', 'warning', 'critical'] as const).find((s) => s === a.severity) ?? stored?.severity ?? 'warning';
  const summary = a.summary || a.annotations.summary || stored?.summary || a.alert;
  const event: AlertEvent = {
    kind: 'firing',
    alert: a.alert,
    fingerprint: a.fingerprint,
    severity,
    labels: a.labels,
    annotations: a.annotations,
    value: a.value,
    threshold: a.threshold ?? stored?.threshold ?? Number.NaN,
    startsAt: a.firingSince ?? (stored?.kind === 'firing' ? stored.startsAt : now),
    summary,
  };
  return event;
}
