import type { Db } from './db.ts';
import type { AlertEvent } from '../rules/alert.ts';
import type { OutboxStatus } from './outbox-repo.ts';
import { eventJson } from './event-json.ts';

/** What the pipeline remembers per alert per channel (drives dedup and repeat). */
export interface NotificationState {
  fingerprint: string;
  channel: string;
  alert: string;
  /** kind of the last event seen for this alert on this channel */
  kind: 'firing' | 'resolved';
  /** a firing notification of the current episode has been queued (and maybe delivered) */
  firingSent: boolean;
  /** the last decision was "muted by a silence or maintenance window" */
  silenced: boolean;
  outboxId: number | null;
  /** epoch ms the last notification was queued */
  notifiedAt: number | null;
  event: AlertEvent;
}

/** The per-channel record the API shows: state plus the carrying outbox row's delivery status. */
export interface NotificationRecord {
  channel: string;
  kind: 'firing' | 'resolved';
  status: OutboxStatus | 'silenced' | 'none';
  attempts: number;
  lastError: string | null;
  notifiedAt: number | null;
  deliveredAt: number | null;
  outboxId: number | null;
}

export interface NotificationRepo {
  get(fingerprint: string, channel: string): NotificationState | undefined;
  upsert(state: NotificationState, now: number): void;
  records(fingerprint: string): NotificationRecord[];
  /** channels that were told this alert is firing and have not been told it resolved */
  firingSentChannels(fingerprint: string): string[];
}

type Row = Record<string, unknown>;
const toState = (r: Row): NotificationState => ({
  fingerprint: String(r.fingerprint),
  channel: String(r.channel),
  alert: String(r.alert),
  kind: r.kind as NotificationState['kind'],
  firingSent: Number(r.firing_sent) === 1,
  silenced: Number(r.silenced) === 1,
  outboxId: r.outbox_id == null ? null : Number(r.outbox_id),
  notifiedAt: r.notified_at == null ? null : Number(r.notified_at),
  event: JSON.parse(String(r.event)) as AlertEvent,
});


export function createNotificationRepo(db: Db): NotificationRepo {
  const s = {
    get: db.sql.prepare('SELECT * FROM notification_records WHERE fingerprint = ? AND channel = ?'),
    upsert: db.sql.prepare(
      `INSERT INTO notification_records (fingerprint, channel, alert, kind, firing_sent, silenced, outbox_id, notified_at, event, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (fingerprint, channel) DO UPDATE SET alert = excluded.alert, kind = excluded.kind, firing_sent = excluded.firing_sent,
         silenced = excluded.silenced, outbox_id = excluded.outbox_id, notified_at = excluded.notified_at, event = excluded.event,
         updated_at = excluded.updated_at`,
    ),
    firingSent: db.sql.prepare('SELECT channel FROM notification_records WHERE fingerprint = ? AND firing_sent = 1 ORDER BY channel'),
    records: db.sql.prepare(
      `SELECT r.channel, r.kind, r.silenced, r.outbox_id, r.notified_at, o.status, o.attempts, o.last_error, o.delivered_at
       FROM notification_records r LEFT JOIN outbox o ON o.id = r.outbox_id WHERE r.fingerprint = ? ORDER BY r.channel`,
    ),
  };
  return {
    get: (fp, ch) => {
      const r = s.get.get(fp, ch);
      return r ? toState(r) : undefined;
    },
    upsert: (st, now) =>
      void s.upsert.run(
        st.fingerprint,
        st.channel,
        st.alert,
        st.kind,
        st.firingSent ? 1 : 0,
        st.silenced ? 1 : 0,
        st.outboxId,
        st.notifiedAt,
        eventJson(st.event),
        now,
      ),
    firingSentChannels: (fp) => s.firingSent.all(fp).map((r) => String(r.channel)),
    records: (fp) =>
      s.records.all(fp).map((r) => ({
        channel: String(r.channel),
        kind: r.kind as NotificationRecord['kind'],
        status: Number(r.silenced) === 1 ? 'silenced' : r.status == null ? 'none' : (r.status as OutboxStatus),
        attempts: r.attempts == null ? 0 : Number(r.attempts),
        lastError: r.last_error == null ? null : String(r.last_error),
        notifiedAt: r.notified_at == null ? null : Number(r.notified_at),
        deliveredAt: r.delivered_at == null ? null : Number(r.delivered_at),
        outboxId: r.outbox_id == null ? null : Number(r.outbox_id),
      })),
  };
}
