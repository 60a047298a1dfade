import type { Reading, SourceKind } from '../sources/source.ts';

export type { Reading };

/**
 * The latest settled outcome of one source. `summary` is the human-facing JSON for /metrics/live; `settledAt`
 * tells its age (a hung source keeps its last section and grows old instead of holding the others).
 */
export type Section = { kind: SourceKind; settledAt: number; durationMs: number } & (
  | { ok: true; summary: unknown }
  | { ok: false; error: string }
);

/** Everything one publish saw: the latest settled section of every source. Immutable once published. */
export interface Snapshot {
  /** epoch milliseconds when the host round started */
  takenAt: number;
  /** wall time the host round took */
  durationMs: number;
  sections: Record<string, Section>;
  readings: Reading[];
  /** metrics a source that failed its last run produced when it last succeeded: missing now, not gone */
  unavailable: Set<string>;
}
