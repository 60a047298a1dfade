import type { Db } from './db.ts';
import type { AlertEvent } from '../rules/alert.ts';
import { eventsJson } from './event-json.ts';

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxRow {
  id: number;
  channel: string;
  events: AlertEvent[];
  createdAt: number;
  nextAttemptAt: number;
  attempts: number;
  status: OutboxStatus;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface OutboxRepo {
  /** queues one grouped message for a channel; returns its id */
  insert(channel: string, events: AlertEvent[], now: number): number;
  get(id: number): OutboxRow | undefined;
  /** the row's status without parsing its payload */
  statusOf(id: number): OutboxStatus | undefined;
  /** the oldest pending row of a channel (due or not): delivery is in order per channel */
  /** the oldest pending row of a channel; `known` may supply its events (kept in memory since enqueue) so the payload is not read and parsed again */
  headPending(channel: string, known?: (id: number) => AlertEvent[] | undefined): OutboxRow | undefined;
  /** channels that have pending rows */
  pendingChannels(): string[];
  countPending(): number;
  setAttempts(id: number, attempts: number, lastError: string | null): void;
  markDelivered(id: number, at: number): void;
  markFailed(id: number, error: string): void;
  defer(id: number, nextAttemptAt: number, lastError: string): void;
  /** makes every pending row due at `now` at the latest (a restart tries everything left over at once) */
  dueNow(now: number): number;
  /** deletes delivered/failed rows created before `before` that no notification record points at */
  prune(before: number): number;
}

type Row = Record<string, unknown>;
const toRow = (r: Row, events?: AlertEvent[]): OutboxRow => ({
  id: Number(r.id),
  channel: String(r.channel),
  events: events ?? (JSON.parse(String(r.payload)) as AlertEvent[]),
  createdAt: Number(r.created_at),
  nextAttemptAt: Number(r.next_attempt_at),
  attempts: Number(r.attempts),
  status: r.status as OutboxStatus,
  lastError: r.last_error == null ? null : String(r.last_error),
  deliveredAt: r.delivered_at == null ? null : Number(r.delivered_at),
});

export function createOutboxRepo(db: Db): OutboxRepo {
  const s = {
    insert: db.sql.prepare('INSERT INTO outbox (channel, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?)'),
    get: db.sql.prepare('SELECT * FROM outbox WHERE id = ?'),
    status: db.sql.prepare('SELECT status FROM outbox WHERE id = ?'),
    head: db.sql.prepare(
      "SELECT id, channel, created_at, next_attempt_at, attempts, status, last_error, delivered_at FROM outbox WHERE status = 'pending' AND channel = ? ORDER BY id LIMIT 1",
    ),
    payload: db.sql.prepare('SELECT payload FROM outbox WHERE id = ?'),
    channels: db.sql.prepare("SELECT DISTINCT channel FROM outbox WHERE status = 'pending' ORDER BY channel"),
    count: db.sql.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'"),
    attempts: db.sql.prepare('UPDATE outbox SET attempts = ?, last_error = ? WHERE id = ?'),
    delivered: db.sql.prepare("UPDATE outbox SET status = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ? AND status = 'pending'"),
    failed: db.sql.prepare("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ? AND status = 'pending'"),
    defer: db.sql.prepare("UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'"),
    dueNow: db.sql.prepare("UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND next_attempt_at > ?"),
    prune: db.sql.prepare(
      "DELETE FROM outbox WHERE status <> 'pending' AND created_at < ? AND id NOT IN (SELECT outbox_id FROM notification_records WHERE outbox_id IS NOT NULL)",
    ),
  };
  return {
    insert: (channel, events, now) => Number(s.insert.run(channel, eventsJson(events), now, now).lastInsertRowid),
    statusOf: (id) => s.status.get(id)?.status as OutboxStatus | undefined,
    get: (id) => {
      const r = s.get.get(id);
      return r ? toRow(r) : undefined;
    },
    headPending: (channel, known) => {
      const r = s.head.get(channel);
      if (!r) return undefined;
      const events = known?.(Number(r.id));
      return toRow(events ? r : { ...r, payload: s.payload.get(Number(r.id))?.payload }, events);
    },
    pendingChannels: () => s.channels.all().map((r) => String(r.channel)),
    countPending: () => Number(s.count.get()?.n ?? 0),
    setAttempts: (id, attempts, lastError) => void s.attempts.run(attempts, lastError, id),
    markDelivered: (id, at) => void s.delivered.run(at, id),
    markFailed: (id, error) => void s.failed.run(error, id),
    defer: (id, next, error) => void s.defer.run(next, error, id),
    dueNow: (now) => Number(s.dueNow.run(now, now).changes),
    prune: (before) => Number(s.prune.run(before).changes),
  };
}
