import type { AlertEvent } from '../rules/alert.ts';

/** The alert record is the rule engine's: re-exported here for the channels that deliver it. */
export type { AlertEvent };

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
