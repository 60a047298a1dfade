import type { Db } from './db.ts';

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface SilenceRow {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
  updatedAt: number;
}

export interface SilenceRepo {
  insert(s: SilenceRow): void;
  get(id: string): SilenceRow | undefined;
  /** all silences, newest first */
  list(): SilenceRow[];
  /** silences not yet ended at `now` (active or starting later) */
  notEnded(now: number): SilenceRow[];
  /** sets ends_at = now for a silence that has not ended; false when none was changed */
  expire(id: string, now: number): boolean;
  /** deletes silences that ended before `before` */
  prune(before: number): number;
}

type Row = Record<string, unknown>;
const toSilence = (r: Row): SilenceRow => ({
  id: String(r.id),
  matchers: JSON.parse(String(r.matchers)) as Matcher[],
  startsAt: Number(r.starts_at),
  endsAt: Number(r.ends_at),
  createdBy: String(r.created_by),
  comment: String(r.comment),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function createSilenceRepo(db: Db): SilenceRepo {
  const s = {
    insert: db.sql.prepare(
      'INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    get: db.sql.prepare('SELECT * FROM silences WHERE id = ?'),
    list: db.sql.prepare('SELECT * FROM silences ORDER BY created_at DESC, id'),
    notEnded: db.sql.prepare('SELECT * FROM silences WHERE ends_at > ? ORDER BY starts_at, id'),
    expire: db.sql.prepare('UPDATE silences SET ends_at = ?, starts_at = MIN(starts_at, ?), updated_at = ? WHERE id = ? AND ends_at > ?'),
    prune: db.sql.prepare('DELETE FROM silences WHERE ends_at < ?'),
  };
  return {
    insert: (x) =>
      void s.insert.run(x.id, JSON.stringify(x.matchers), x.startsAt, x.endsAt, x.createdBy, x.comment, x.createdAt, x.updatedAt),
    get: (id) => {
      const r = s.get.get(id);
      return r ? toSilence(r) : undefined;
    },
    list: () => s.list.all().map(toSilence),
    notEnded: (now) => s.notEnded.all(now).map(toSilence),
    expire: (id, now) => Number(s.expire.run(now, now, now, id, now).changes) > 0,
    prune: (before) => Number(s.prune.run(before).changes),
  };
}
