/**
 * The alert record the rule engine produces. rules/ owns it; notify/ and store/ import it from here.
 */

/** One alert instance changing state, as the rule engine emits it and channels deliver it. */
export interface AlertEvent {
  kind: 'firing' | 'resolved';
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
  /** epoch ms */
  startsAt: number;
  /** epoch ms; set when resolved */
  endsAt?: number;
  summary: string;
}

/** The severities a rule may carry, mildest first. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
