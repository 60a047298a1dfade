-- Services created through the REST API (config-file services are never stored): the validated API body (camelCase
-- ServiceDto, JSON) so defaults from alerts.yaml still apply to the fields it left out.
CREATE TABLE services (
  id         TEXT PRIMARY KEY,
  definition TEXT    NOT NULL,                   -- JSON ServiceInput
  created_at INTEGER NOT NULL,                   -- epoch ms
  updated_at INTEGER NOT NULL
);

-- A small integer per service id for the raw results, the only table with ~10^6 rows: an id of up to 100 characters
-- stored twice per row (table + index) would cost more than the rest of the row.
CREATE TABLE probe_series (
  id         INTEGER PRIMARY KEY,
  service_id TEXT NOT NULL UNIQUE
);

-- Every probe result, kept 48 h by default. The index covers the uptime and latency queries (ok, latency_ms), so they
-- never touch the table rows.
CREATE TABLE probe_results (
  series        INTEGER NOT NULL,                -- probe_series.id
  ts            INTEGER NOT NULL,                -- epoch ms the check started
  ok            INTEGER NOT NULL,                -- 0 | 1
  status_code   INTEGER,
  latency_ms    REAL    NOT NULL,
  version       TEXT,
  reason        TEXT,
  error_message TEXT
);
CREATE INDEX probe_results_series_ts ON probe_results (series, ts, ok, latency_ms);

-- Hourly rollups, kept 90 days: counts, latency of the successful checks (sum/min/max), and a fixed histogram of those
-- latencies (JSON array of counts, one per bucket of LATENCY_BUCKETS_MS in probe-history-repo.ts, the last +Inf) so
-- a p95 can be estimated for one hour and for any merge of hours.
CREATE TABLE probe_rollups (
  service_id  TEXT    NOT NULL,
  hour        INTEGER NOT NULL,                  -- epoch ms of the hour's start (UTC)
  checks      INTEGER NOT NULL,
  failures    INTEGER NOT NULL,
  latency_sum REAL    NOT NULL,                  -- over the checks - failures successful checks
  latency_min REAL,
  latency_max REAL,
  latency_p95 REAL,                              -- estimated from buckets
  buckets     TEXT    NOT NULL,                  -- JSON number[]
  -- clustered by service: uptime over 30 days reads one service's 720 rows from ~40 adjacent pages. (Clustered by
  -- hour, a flush would rewrite fewer pages, but those 720 rows sit on 720 different pages: 1.3 ms instead of
  -- ~0.1 ms per GET /health/:id, bench/README.md.)
  PRIMARY KEY (service_id, hour)
) WITHOUT ROWID;
CREATE INDEX probe_rollups_hour ON probe_rollups (hour);

-- State and version changes, kept a year.
CREATE TABLE service_events (
  id         INTEGER PRIMARY KEY,
  service_id TEXT    NOT NULL,
  ts         INTEGER NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('down', 'up', 'version_change', 'drift_start', 'drift_end')),
  from_value TEXT,
  to_value   TEXT,
  detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX service_events_service_ts ON service_events (service_id, ts);
CREATE INDEX service_events_ts ON service_events (ts);
