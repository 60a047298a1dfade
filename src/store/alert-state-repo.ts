import type { Db } from './db.ts';

/** The rule engine's persisted alert instances, keyed by fingerprint; the state is the engine's own JSON shape. */
export interface AlertStateRepo<S = unknown> {
  loadAll(): Array<{ fingerprint: string; state: S; updatedAt: number }>;
  get(fingerprint: string): S | undefined;
  save(fingerprint: string, state: S, now: number): void;
  delete(fingerprint: string): void;
  /** replaces everything with `states` in one transaction */
  replaceAll(states: Iterable<[fingerprint: string, state: S]>, now: number): void;
}

export function createAlertStateRepo<S = unknown>(db: Db): AlertStateRepo<S> {
  const s = {
    all: db.sql.prepare('SELECT fingerprint, state, updated_at FROM alert_state ORDER BY fingerprint'),
    get: db.sql.prepare('SELECT state FROM alert_state WHERE fingerprint = ?'),
    upsert: db.sql.prepare(
      'INSERT INTO alert_state (fingerprint, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
    ),
    del: db.sql.prepare('DELETE FROM alert_state WHERE fingerprint = ?'),
    clear: db.sql.prepare('DELETE FROM alert_state'),
  };
  const save = (fp: string, state: S, now: number) => void s.upsert.run(fp, JSON.stringify(state), now);
  return {
    loadAll: () =>
      s.all.all().map((r) => ({ fingerprint: String(r.fingerprint), state: JSON.parse(String(r.state)) as S, updatedAt: Number(r.updated_at) })),
    get: (fp) => {
      const r = s.get.get(fp);
      return r ? (JSON.parse(String(r.state)) as S) : undefined;
    },
    save,
    delete: (fp) => void s.del.run(fp),
    replaceAll: (states, now) =>
      db.tx(() => {
        s.clear.run();
        for (const [fp, st] of states) save(fp, st, now);
      }),
  };
}
