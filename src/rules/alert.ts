/**
 * The alert record the rule engine produces. rules/ owns it; notify/ and store/ import it from here.
 */

/**
 * One alert instance: what every view of it shares (an event, the active list, the saved state, a history
 * episode). The views below are derived from it with Pick/Omit; none repeats its fields.
 */
export interface AlertRecord {
  /** rule name (the `alert:` field) */
  alert: string;
  /** stable id of the alert instance: hash of alert name + labels */
  fingerprint: string;
  severity: Severity;
  /** the series' labels plus the rule's extra labels, plus alertname and severity */
  labels: Record<string, string>;
  /** rendered summary/description and any other annotations */
  annotations: Record<string, string>;
  value: number;
  threshold: number;
  /** the rule's metric: channels show value and threshold in its unit (src/rules/units.ts); absent in older events */
  metric?: string;
  summary: string;
}

/** One alert instance changing state, as the rule engine emits it and channels deliver it. */
export interface AlertEvent extends AlertRecord {
  kind: 'firing' | 'resolved';
  /** epoch ms */
  startsAt: number;
  /** epoch ms; set when resolved */
  endsAt?: number;
}

export type AlertStateName = 'pending' | 'firing';

/** Where an active alert instance stands in the rule engine's state machine. */
export interface AlertTimes {
  state: AlertStateName;
  /** epoch ms: when the condition started holding (pending since) */
  activeSince: number;
  /** epoch ms: when it started firing */
  firingSince?: number;
  /** epoch ms: firing, but the condition has not held since then (keep_firing_for running) */
  keepFiringSince?: number;
}

/** An alert in the engine's active set (pending or firing), as routes, the dashboard and the notifier read it. */
export interface ActiveAlert extends Omit<AlertRecord, 'metric'>, AlertTimes {
  /** the rule's channels; undefined means the configured defaults */
  channels: string[] | undefined;
}

/** The engine's own record of one instance: the record's identity and observed value, plus the series' labels. */
export interface AlertInstance extends Pick<AlertRecord, 'fingerprint' | 'labels' | 'annotations' | 'value'>, AlertTimes {
  seriesLabels: Record<string, string>;
}

/** One alert instance as plain JSON, for surviving a restart (rules/state-store.ts). */
export interface PersistedAlert extends Omit<AlertInstance, 'value'>, Pick<AlertRecord, 'alert'> {
  /** hash of the rule's condition/identity; a changed rule does not inherit states */
  ruleHash: string;
  /** null when the value was NaN or ±Inf (JSON has no such numbers) */
  value: number | null;
}

/** The severities a rule may carry, mildest first. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
