-- Durable notification outbox: one row per channel per evaluation (a grouped message), written before any send.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  channel         TEXT    NOT NULL,
  payload         TEXT    NOT NULL,              -- JSON AlertEvent[]
  created_at      INTEGER NOT NULL,              -- epoch ms
  next_attempt_at INTEGER NOT NULL,              -- epoch ms
  attempts        INTEGER NOT NULL DEFAULT 0,
  status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  last_error      TEXT,
  delivered_at    INTEGER
);
CREATE INDEX outbox_pending ON outbox (status, channel, id);

-- The rule engine's persisted alert instances (pending/firing), so a restart keeps `for:` progress and firing state.
CREATE TABLE alert_state (
  fingerprint TEXT PRIMARY KEY,
  state       TEXT    NOT NULL,                  -- JSON
  updated_at  INTEGER NOT NULL
);

-- One row per alert episode (firing → resolved).
CREATE TABLE alert_history (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  fingerprint TEXT    NOT NULL,
  alert       TEXT    NOT NULL,
  labels      TEXT    NOT NULL,                  -- JSON
  annotations TEXT    NOT NULL DEFAULT '{}',     -- JSON
  severity    TEXT    NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('firing', 'resolved')),
  value       REAL,
  threshold   REAL,
  summary     TEXT    NOT NULL DEFAULT '',
  starts_at   INTEGER NOT NULL,
  ends_at     INTEGER,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX alert_history_order ON alert_history (starts_at DESC, id DESC);
CREATE INDEX alert_history_open ON alert_history (fingerprint, ends_at);

-- Per alert per channel: what was last decided and which outbox row carries it (status/attempts/error come from it).
CREATE TABLE notification_records (
  fingerprint TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  alert       TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('firing', 'resolved')),
  firing_sent INTEGER NOT NULL DEFAULT 0,        -- 1 while a firing notification of the current episode is queued/sent
  silenced    INTEGER NOT NULL DEFAULT 0,        -- 1 when the last decision was "muted by a silence"
  outbox_id   INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
  notified_at INTEGER,                           -- epoch ms the last notification was queued
  event       TEXT    NOT NULL,                  -- JSON AlertEvent last seen (used for reminders)
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (fingerprint, channel)
);
CREATE INDEX notification_records_outbox ON notification_records (outbox_id);

-- Alertmanager-style silences created through the API.
CREATE TABLE silences (
  id         TEXT PRIMARY KEY,                   -- uuid
  matchers   TEXT    NOT NULL,                   -- JSON [{name, value, isRegex, isEqual}]
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,
  created_by TEXT    NOT NULL DEFAULT '',
  comment    TEXT    NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX silences_ends ON silences (ends_at);
