import type { Db } from './db.ts';
import type { AlertEvent } from '../rules/alert.ts';

/** One alert episode (firing until resolved): the alert record as stored, null where a value was not a finite number. */
export interface HistoryEntry extends Pick<AlertEvent, 'fingerprint' | 'alert' | 'labels' | 'annotations' | 'summary' | 'startsAt'> {
  id: number;
  /** as stored (any text an older version wrote) */
  severity: string;
  state: AlertEvent['kind'];
  value: number | null;
  threshold: number | null;
  endsAt: number | null;
}

export interface HistoryPage {
  items: HistoryEntry[];
  total: number;
  limit: number;
  offset: number;
}

export interface HistoryRepo {
  /** firing opens an episode (unless one is open); resolved closes the open one (or records a closed one) */
  record(event: AlertEvent, now: number): void;
  /** newest first */
  page(limit: number, offset: number): HistoryPage;
  forFingerprint(fingerprint: string, limit?: number): HistoryEntry[];
  /** deletes resolved episodes that ended before `before`; returns how many */
  prune(before: number): number;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v == null ? null : Number(v));
const toEntry = (r: Row): HistoryEntry => ({
  id: Number(r.id),
  fingerprint: String(r.fingerprint),
  alert: String(r.alert),
  labels: JSON.parse(String(r.labels)) as Record<string, string>,
  annotations: JSON.parse(String(r.annotations)) as Record<string, string>,
  severity: String(r.severity),
  state: r.state as HistoryEntry['state'],
  value: num(r.value),
  threshold: num(r.threshold),
  summary: String(r.summary),
  startsAt: Number(r.starts_at),
  endsAt: num(r.ends_at),
});
// SQLite stores NaN as NULL and rejects nothing else; keep non-finite values out explicitly.
const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function createHistoryRepo(db: Db): HistoryRepo {
  const s = {
    prune: db.sql.prepare("DELETE FROM alert_history WHERE state = 'resolved' AND ends_at < ?"),
    open: db.sql.prepare("SELECT id FROM alert_history WHERE fingerprint = ? AND state = 'firing' ORDER BY id DESC LIMIT 1"),
    insert: db.sql.prepare(
      'INSERT INTO alert_history (fingerprint, alert, labels, annotations, severity, state, value, threshold, summary, starts_at, ends_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    close: db.sql.prepare(
      "UPDATE alert_history SET state = 'resolved', value = ?, ends_at = ?, annotations = ?, summary = ?, updated_at = ? WHERE id = ?",
    ),
    update: db.sql.prepare('UPDATE alert_history SET value = ?, annotations = ?, summary = ?, updated_at = ? WHERE id = ?'),
    page: db.sql.prepare('SELECT * FROM alert_history ORDER BY starts_at DESC, id DESC LIMIT ? OFFSET ?'),
    count: db.sql.prepare('SELECT COUNT(*) AS n FROM alert_history'),
    byFp: db.sql.prepare('SELECT * FROM alert_history WHERE fingerprint = ? ORDER BY starts_at DESC, id DESC LIMIT ?'),
  };
  const insert = (e: AlertEvent, state: 'firing' | 'resolved', endsAt: number | null, now: number) =>
    s.insert.run(
      e.fingerprint,
      e.alert,
      JSON.stringify(e.labels),
      JSON.stringify(e.annotations ?? {}),
      e.severity,
      state,
      finite(e.value),
      finite(e.threshold),
      e.summary ?? '',
      e.startsAt,
      endsAt,
      now,
    );
  return {
    prune: (before) => Number(s.prune.run(before).changes),
    record(e, now) {
      const open = s.open.get(e.fingerprint);
      const annotations = JSON.stringify(e.annotations ?? {});
      if (e.kind === 'firing') {
        if (open) s.update.run(finite(e.value), annotations, e.summary ?? '', now, Number(open.id));
        else insert(e, 'firing', null, now);
      } else if (open) s.close.run(finite(e.value), e.endsAt ?? now, annotations, e.summary ?? '', now, Number(open.id));
      else insert(e, 'resolved', e.endsAt ?? now, now);
    },
    page(limit, offset) {
      const l = Math.max(0, Math.min(1000, Math.trunc(limit)));
      const o = Math.max(0, Math.trunc(offset));
      return { items: s.page.all(l, o).map(toEntry), total: Number(s.count.get()?.n ?? 0), limit: l, offset: o };
    },
    forFingerprint: (fp, limit = 50) => s.byFp.all(fp, limit).map(toEntry),
  };
}
