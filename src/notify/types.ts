/** One alert instance changing state, as the rule engine emits it and channels deliver it. */
export interface AlertEvent {
  kind: 'firing' | 'resolved';
  /** rule name (the `alert:` field) */
  alert: string;
  /** stable id of the alert instance: hash of alert name + labels */
  fingerprint: string;
  severity: 'info' | 'warning' | 'critical';
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

/** A delivery failure. recoverable=false means retrying cannot help (bad token, unknown channel, 4xx). */
export class NotifyError extends Error {
  readonly recoverable: boolean;
  readonly reason: string;
  /** milliseconds the far end asked us to wait (429 Retry-After) */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { recoverable: boolean; reason: string; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'NotifyError';
    this.recoverable = opts.recoverable;
    this.reason = opts.reason;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** A destination. `send` delivers one grouped message holding all events, or throws (NotifyError preferred). */
export interface Channel {
  readonly name: string;
  readonly type: 'slack' | 'email' | 'webhook' | 'alertmanager';
  send(events: AlertEvent[], signal: AbortSignal): Promise<void>;
  /**
   * Loads what sending needs (a client library) ahead of the first send, so the memory it takes shows from the
   * start and the first alert storm does not also pay for compiling it on the thread that serves /metrics.
   */
  prepare?(): Promise<void>;
  /** set by channels whose far end expires firing alerts (Alertmanager): re-send firing alerts this often */
  readonly resendIntervalMs?: number;
}
