-- Heartbeat jobs: the tracker's state per job, written in batches (dirty jobs once a second, and at stop) and read
-- back at start, so deadlines keep counting from the stored last ping across restarts.
CREATE TABLE heartbeat_jobs (
  service              TEXT    PRIMARY KEY,
  auto_registered      INTEGER NOT NULL DEFAULT 0,   -- 1: registered itself by pinging (auto_register)
  created_at           INTEGER NOT NULL,             -- epoch ms the job was first tracked (deadline base before any ping)
  last_ping_at         INTEGER,                      -- epoch ms, any kind of ping
  last_report_at       INTEGER,                      -- epoch ms, last success or failure (deadlines count from it)
  last_success_at      INTEGER,
  last_failure_at      INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_exit_code       INTEGER,
  last_message         TEXT,                         -- redacted, at most 10 KB
  open_runs            TEXT    NOT NULL DEFAULT '[]', -- JSON [{rid, startedAt}] (bounded)
  run_durations        TEXT    NOT NULL DEFAULT '[]', -- JSON recent start→success durations in ms (bounded)
  pings_success        INTEGER NOT NULL DEFAULT 0,
  pings_start          INTEGER NOT NULL DEFAULT 0,
  pings_fail           INTEGER NOT NULL DEFAULT 0,
  pushed               TEXT,                         -- JSON last pushed metrics {at, cpu, memory, latencyMs, errorRate}
  updated_at           INTEGER NOT NULL
);
