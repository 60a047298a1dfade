/**
 * Alert-state persistence: the rule engine's alert instances saved so a restart neither re-fires nor forgets.
 *
 * States are written when they change shape (new, pending→firing, keep-firing, gone), not every cycle: a value
 * that moves while firing is re-read from the next sample after a restart anyway. Writes go in short
 * transactions of `chunk` rows paced between them (src/lib/slice.ts), so a large save never holds the
 * thread. The table lives in store/ (store/alert-state-repo.ts); its rows and transactions come in by deps, so
 * rules/ does not import store/.
 */
import { neverDue, type Pacer } from '../lib/slice.ts';
import type { Clock } from '../lib/clock.ts';
import { stateShape, type PersistedAlert, type RuleEngine } from './engine.ts';

/** The rows the states are kept in (store/alert-state-repo.ts implements it). */
export interface AlertStateRows {
  loadAll(): Array<{ fingerprint: string; state: PersistedAlert }>;
  save(fingerprint: string, state: PersistedAlert, now: number): void;
  delete(fingerprint: string): void;
}

export interface AlertStateStoreDeps {
  rows: AlertStateRows;
  /** runs fn in one write transaction */
  tx: (fn: () => void) => void;
  clock: Clock;
  /** rows per write transaction (see notify/pipeline.ts); default 200 */
  chunk?: number;
}

export interface AlertStateStore {
  /** the saved states, read once at start; what is saved from then on is compared against them */
  restore(): PersistedAlert[];
  /** saves the states whose shape changed since the last save and deletes the ones that are gone */
  save(engine: Pick<RuleEngine, 'stateShapes' | 'exportOne'>, pacer?: Pacer): Promise<void>;
}

export function createAlertStateStore(deps: AlertStateStoreDeps): AlertStateStore {
  const { rows, tx, clock } = deps;
  const CHUNK = deps.chunk ?? 200;
  /** fingerprint -> shape of the state as saved */
  const persisted = new Map<string, string>();
  return {
    restore() {
      const restored = rows.loadAll().map((r) => r.state);
      persisted.clear();
      for (const s of restored) persisted.set(s.fingerprint, stateShape(s));
      return restored;
    },
    async save(engine, pacer = neverDue) {
      const now = clock.now();
      const changed: string[] = [];
      const shapes = new Map<string, string>();
      for (const { fingerprint, shape } of engine.stateShapes()) {
        shapes.set(fingerprint, shape);
        if (persisted.get(fingerprint) !== shape) changed.push(fingerprint);
      }
      if (pacer.due()) await pacer.yield();
      const gone = [...persisted.keys()].filter((fp) => !shapes.has(fp));
      for (let i = 0; i < changed.length; i += CHUNK) {
        const chunk = changed.slice(i, i + CHUNK);
        tx(() => {
          for (const fp of chunk) {
            const st = engine.exportOne(fp);
            if (st) rows.save(fp, st, now);
          }
        });
        for (const fp of chunk) persisted.set(fp, shapes.get(fp)!);
        if (pacer.due()) await pacer.yield();
      }
      for (let i = 0; i < gone.length; i += CHUNK) {
        const chunk = gone.slice(i, i + CHUNK);
        tx(() => {
          for (const fp of chunk) rows.delete(fp);
        });
        for (const fp of chunk) persisted.delete(fp);
        if (pacer.due()) await pacer.yield();
      }
    },
  };
}
