/** A single sample value, named and labelled exactly as it appears on /metrics. */
export interface Reading {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/** The outcome of one collector in one cycle. `summary` is the human-facing JSON for /metrics/live. */
export type Section =
  | { ok: true; durationMs: number; summary: unknown }
  | { ok: false; durationMs: number; error: string };

/** Everything one sampling cycle produced. Immutable once published. */
export interface Snapshot {
  /** epoch milliseconds when the cycle started */
  takenAt: number;
  /** wall time the whole cycle took */
  durationMs: number;
  sections: Record<string, Section>;
  readings: Reading[];
  /** metrics a collector that failed this cycle produced when it last succeeded: missing now, not gone */
  unavailable: Set<string>;
}
