import type { FailureReason, ProbeResult } from '../probes/types.ts';
import type { Db } from './db.ts';
import { bucketIndex, emptyBuckets, estimateQuantile, mergeBuckets, parseBuckets } from './latency-histogram.ts';

/**
 * Probe history: every result (raw, kept 48 h), hourly rollups (kept 90 d) and state/version events (kept a year).
 *
 * Writes are batched: record()/recordEvent() only buffer; flush() writes everything buffered in ONE transaction and
 * updates the rollups of the touched service-hours in the same transaction, so raw rows and rollups always agree.
 * The owner calls flush() on a timer (about every second) and prune() periodically; prune() deletes at most
 * `pruneChunk` rows per call (short write locks) and says whether more remains.
 *
 * Reads see flushed data only (at most one flush interval behind).
 */

export const SERVICE_EVENT_KINDS = ['down', 'up', 'version_change', 'drift_start', 'drift_end'] as const;
export type ServiceEventKind = (typeof SERVICE_EVENT_KINDS)[number];

/** A state or version change. The probe's transitions map as incident_open → down, incident_close → up. */
export interface ServiceEvent {
  serviceId: string;
  /** epoch ms */
  timestamp: number;
  kind: ServiceEventKind;
  /** version_change / drift_*: the old and new version (or expected and found); down/up: usually null */
  from: string | null;
  to: string | null;
  /** short human text, e.g. "connect: ECONNREFUSED" */
  detail: string;
}
export interface StoredEvent extends ServiceEvent {
  id: number;
}

/** One stored check (a ProbeResult without the per-phase timings, which only the metrics carry). */
export interface StoredCheck {
  serviceId: string;
  timestamp: number;
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  version: string | null;
  reason: FailureReason | null;
  errorMessage: string | null;
}

export interface UptimeWindow {
  checks: number;
  failures: number;
  /** successful / checks, null without checks */
  ratio: number | null;
}
export type UptimeWindows = Record<'24h' | '7d' | '30d', UptimeWindow>;

export interface LatencyPercentiles {
  /** ms, null without successful checks in the window */
  p50: number | null;
  p95: number | null;
  /** how many successful checks they were computed from */
  samples: number;
}

export interface RawPoint {
  timestamp: number;
  ok: boolean;
  latencyMs: number;
}
export interface HourPoint {
  /** start of the hour, epoch ms */
  timestamp: number;
  checks: number;
  failures: number;
  /** over the successful checks of the hour; null when there were none */
  avgMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  p95Ms: number | null;
}
export type LatencySeries = { resolution: 'raw'; points: RawPoint[] } | { resolution: 'hour'; points: HourPoint[] };

export interface Retention {
  rawMs: number;
  rollupMs: number;
  eventMs: number;
}
export const DEFAULT_RETENTION: Retention = { rawMs: 48 * 3_600_000, rollupMs: 90 * 86_400_000, eventMs: 365 * 86_400_000 };

export interface PruneResult {
  deleted: { raw: number; rollups: number; events: number };
  /** true when the chunk was used up: call again (after giving the event loop a turn) */
  more: boolean;
}

export interface ProbeHistoryOptions {
  /** retention; prune() reads the time from it */
  clock: { now(): number };
  retention?: Partial<Retention>;
  /** rows deleted per prune() call at most (default 1000) */
  pruneChunk?: number;
  /** results + events held between flushes at most; beyond it the oldest are dropped and counted (default 100 000) */
  maxBuffered?: number;
}

export interface ProbeHistoryRepo {
  /** buffers one result (no I/O) */
  record(result: ProbeResult): void;
  /** buffers one event (no I/O) */
  recordEvent(event: ServiceEvent): void;
  /** writes everything buffered in one transaction; on error nothing is lost from the buffer and the error is thrown */
  flush(): { results: number; events: number };
  /** deletes expired rows, at most pruneChunk per call */
  prune(): PruneResult;
  /** newest first; limit 1..1000 */
  recentChecks(serviceId: string, limit: number): StoredCheck[];
  /** the last n checks oldest first (a dashboard bar draws left to right); n 1..1000 */
  lastChecks(serviceId: string, n?: number): StoredCheck[];
  /**
   * Uptime over the 24 h, 7 d and 30 d before now. Whole hours come from the rollups (written with the raw rows in
   * the same flush, so exact, the current hour included); the partial hour at the window's far edge comes from the
   * raw rows while they are kept (always for 24 h). Past raw retention (7 d, 30 d) that partial edge hour is left
   * out, so those windows are short by less than an hour.
   */
  uptime(serviceId: string, now: number): UptimeWindows;
  /**
   * p50/p95 of the successful checks' latency over the 24 h before now, estimated from the latency histograms: the
   * hourly rollups' for the whole hours, one built from the raw rows for the partial hour at the far edge (so every
   * check of the window counts once). Interpolated inside a bucket (bounds 20-33 % apart) and clamped to the
   * window's min and max: a 24 h percentile costs ~25 rollup rows, not a scan of every check.
   */
  latencyPercentiles(serviceId: string, now: number): LatencyPercentiles;
  /** newest first; limit 1..1000 */
  events(serviceId: string, limit?: number): StoredEvent[];
  /**
   * Latency since `since` for a chart: raw points when the range is at most 6 h and still in raw retention (at most
   * 5000, the newest), else hourly points from the rollups (at most 2400 hours, the newest). Oldest first.
   */
  latencySeries(serviceId: string, since: number, now: number): LatencySeries;
  stats(): { buffered: number; bufferedEvents: number; dropped: number };
  readonly retention: Retention;
}

const HOUR = 3_600_000;
const RAW_SERIES_MAX_RANGE = 6 * HOUR;
const RAW_SERIES_LIMIT = 5000;
const HOUR_SERIES_LIMIT = 2400;
/** series visited per prune() call at most, so a call stays short with many services */
const PRUNE_SERIES_PER_CALL = 200;

type Row = Record<string, unknown>;
const clampInt = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.trunc(Number.isFinite(n) ? n : lo)));
const cut = (s: unknown, max: number): string | null => (typeof s === 'string' ? (s.length > max ? s.slice(0, max) : s) : null);
const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;

const toCheck = (serviceId: string) => (r: Row): StoredCheck => ({
  serviceId,
  timestamp: Number(r.ts),
  ok: Number(r.ok) === 1,
  statusCode: r.status_code == null ? null : Number(r.status_code),
  latencyMs: Number(r.latency_ms),
  version: r.version == null ? null : String(r.version),
  reason: r.reason == null ? null : (String(r.reason) as FailureReason),
  errorMessage: r.error_message == null ? null : String(r.error_message),
});
const toEvent = (r: Row): StoredEvent => ({
  id: Number(r.id),
  serviceId: String(r.service_id),
  timestamp: Number(r.ts),
  kind: String(r.kind) as ServiceEventKind,
  from: r.from_value == null ? null : String(r.from_value),
  to: r.to_value == null ? null : String(r.to_value),
  detail: String(r.detail),
});

interface HourAgg {
  checks: number;
  failures: number;
  sum: number;
  min: number | null;
  max: number | null;
  buckets: number[];
}

const rollupFromRow = (r: Row | undefined): HourAgg | undefined =>
  r && {
    checks: Number(r.checks),
    failures: Number(r.failures),
    sum: Number(r.latency_sum),
    min: r.latency_min == null ? null : Number(r.latency_min),
    max: r.latency_max == null ? null : Number(r.latency_max),
    buckets: parseBuckets(r.buckets),
  };

export function createProbeHistoryRepo(db: Db, opts: ProbeHistoryOptions): ProbeHistoryRepo {
  const retention: Retention = { ...DEFAULT_RETENTION, ...opts.retention };
  const pruneChunk = clampInt(opts.pruneChunk ?? 1000, 1, 100_000);
  const maxBuffered = clampInt(opts.maxBuffered ?? 100_000, 1, 10_000_000);
  const s = {
    seriesGet: db.sql.prepare('SELECT id FROM probe_series WHERE service_id = ?'),
    seriesAdd: db.sql.prepare('INSERT INTO probe_series (service_id) VALUES (?) ON CONFLICT (service_id) DO NOTHING'),
    seriesPage: db.sql.prepare('SELECT id FROM probe_series WHERE id > ? ORDER BY id LIMIT ?'),
    insert: db.sql.prepare(
      'INSERT INTO probe_results (series, ts, ok, status_code, latency_ms, version, reason, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    rollupGet: db.sql.prepare('SELECT * FROM probe_rollups WHERE service_id = ? AND hour = ?'),
    rollupPut: db.sql.prepare(
      `INSERT INTO probe_rollups (service_id, hour, checks, failures, latency_sum, latency_min, latency_max, latency_p95, buckets)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (service_id, hour) DO UPDATE SET checks = excluded.checks, failures = excluded.failures,
         latency_sum = excluded.latency_sum, latency_min = excluded.latency_min, latency_max = excluded.latency_max,
         latency_p95 = excluded.latency_p95, buckets = excluded.buckets`,
    ),
    eventAdd: db.sql.prepare('INSERT INTO service_events (service_id, ts, kind, from_value, to_value, detail) VALUES (?, ?, ?, ?, ?, ?)'),
    recent: db.sql.prepare(
      'SELECT ts, ok, status_code, latency_ms, version, reason, error_message FROM probe_results WHERE series = ? ORDER BY ts DESC LIMIT ?',
    ),
    rawCount: db.sql.prepare('SELECT COUNT(*) AS checks, COALESCE(SUM(ok), 0) AS ok FROM probe_results WHERE series = ? AND ts >= ? AND ts < ?'),
    rollupSum: db.sql.prepare(
      'SELECT COALESCE(SUM(checks), 0) AS checks, COALESCE(SUM(failures), 0) AS failures FROM probe_rollups WHERE service_id = ? AND hour >= ? AND hour <= ?',
    ),
    okLatencies: db.sql.prepare('SELECT latency_ms FROM probe_results WHERE series = ? AND ts >= ? AND ts < ? AND ok = 1'),
    rollupHists: db.sql.prepare('SELECT latency_min, latency_max, buckets FROM probe_rollups WHERE service_id = ? AND hour >= ? AND hour <= ?'),
    rawPoints: db.sql.prepare('SELECT ts, ok, latency_ms FROM probe_results WHERE series = ? AND ts >= ? AND ts <= ? ORDER BY ts DESC LIMIT ?'),
    hourPoints: db.sql.prepare(
      'SELECT hour, checks, failures, latency_sum, latency_min, latency_max, latency_p95 FROM probe_rollups WHERE service_id = ? AND hour >= ? AND hour <= ? ORDER BY hour DESC LIMIT ?',
    ),
    events: db.sql.prepare('SELECT * FROM service_events WHERE service_id = ? ORDER BY ts DESC, id DESC LIMIT ?'),
    pruneRaw: db.sql.prepare('DELETE FROM probe_results WHERE rowid IN (SELECT rowid FROM probe_results WHERE series = ? AND ts < ? LIMIT ?)'),
    pruneRollups: db.sql.prepare(
      'DELETE FROM probe_rollups WHERE (service_id, hour) IN (SELECT service_id, hour FROM probe_rollups WHERE hour < ? LIMIT ?)',
    ),
    pruneEvents: db.sql.prepare('DELETE FROM service_events WHERE id IN (SELECT id FROM service_events WHERE ts < ? LIMIT ?)'),
  };
  s.okLatencies.setReturnArrays(true);

  // service id → probe_series.id; series are never deleted, so a cached id stays valid
  const seriesCache = new Map<string, number>();
  const lookupSeries = (serviceId: string): number | undefined => {
    const cached = seriesCache.get(serviceId);
    if (cached !== undefined) return cached;
    const row = s.seriesGet.get(serviceId);
    if (!row) return undefined;
    if (seriesCache.size >= 10_000) seriesCache.clear();
    seriesCache.set(serviceId, Number(row.id));
    return Number(row.id);
  };
  const ensureSeries = (serviceId: string): number => {
    const known = lookupSeries(serviceId);
    if (known !== undefined) return known;
    s.seriesAdd.run(serviceId);
    return lookupSeries(serviceId)!;
  };

  let results: ProbeResult[] = [];
  let events: ServiceEvent[] = [];
  let dropped = 0;
  const overflow = () => {
    while (results.length + events.length > maxBuffered) {
      if (results.length > 0) results.shift();
      else events.shift();
      dropped++;
    }
  };

  // each service's latest rollup hour as last committed, so a flush does not read back the row it wrote a second ago
  // (only this repo writes rollups; the cached agg objects are never mutated)
  const currentHour = new Map<string, { hour: number; agg: HourAgg }>();

  let pruneCursor = 0; // last probe_series.id visited by the raw prune

  return {
    retention,
    record(r) {
      if (!Number.isFinite(r.timestamp) || typeof r.serviceId !== 'string' || r.serviceId === '') {
        dropped++;
        return;
      }
      results.push(r);
      overflow();
    },
    recordEvent(e) {
      if (!Number.isFinite(e.timestamp) || !SERVICE_EVENT_KINDS.includes(e.kind) || typeof e.serviceId !== 'string' || e.serviceId === '') {
        dropped++;
        return;
      }
      events.push(e);
      overflow();
    },
    flush() {
      if (results.length === 0 && events.length === 0) return { results: 0, events: 0 };
      const batch = results;
      const evBatch = events;
      const written: [string, number, HourAgg][] = [];
      db.tx(() => {
        const parts = new Map<string, Map<number, HourAgg>>();
        for (const r of batch) {
          const ts = Math.trunc(r.timestamp);
          const latency = Number.isFinite(r.latencyMs) && r.latencyMs >= 0 ? r.latencyMs : 0;
          const status = Number.isInteger(r.statusCode) ? r.statusCode : null;
          s.insert.run(
            ensureSeries(r.serviceId),
            ts,
            r.ok ? 1 : 0,
            status,
            latency,
            cut(r.version, 256),
            r.ok ? null : cut(r.reason ?? 'other', 32),
            r.ok ? null : cut(r.errorMessage, 512),
          );
          let byHour = parts.get(r.serviceId);
          if (!byHour) parts.set(r.serviceId, (byHour = new Map()));
          const hour = floorHour(ts);
          let p = byHour.get(hour);
          if (!p) byHour.set(hour, (p = { checks: 0, failures: 0, sum: 0, min: null, max: null, buckets: emptyBuckets() }));
          p.checks++;
          if (!r.ok) p.failures++;
          else {
            p.sum += latency;
            p.min = p.min === null ? latency : Math.min(p.min, latency);
            p.max = p.max === null ? latency : Math.max(p.max, latency);
            p.buckets[bucketIndex(latency)]!++;
          }
        }
        for (const [serviceId, byHour] of parts) {
          for (const [hour, p] of byHour) {
            const cached = currentHour.get(serviceId);
            const old = cached?.hour === hour ? cached.agg : rollupFromRow(s.rollupGet.get(serviceId, hour));
            if (old) {
              p.checks += old.checks;
              p.failures += old.failures;
              p.sum += old.sum;
              if (old.min !== null) p.min = p.min === null ? old.min : Math.min(p.min, old.min);
              if (old.max !== null) p.max = p.max === null ? old.max : Math.max(p.max, old.max);
              mergeBuckets(p.buckets, old.buckets);
            }
            const p95 = estimateQuantile(p.buckets, 0.95, p.min, p.max);
            s.rollupPut.run(serviceId, hour, p.checks, p.failures, p.sum, p.min, p.max, p95, JSON.stringify(p.buckets));
            written.push([serviceId, hour, p]);
          }
        }
        for (const e of evBatch)
          s.eventAdd.run(e.serviceId, Math.trunc(e.timestamp), e.kind, cut(e.from, 256), cut(e.to, 256), cut(e.detail, 1024) ?? '');
      });
      // only after the commit (flush is synchronous, nothing was added meanwhile): a failed flush keeps everything
      results = [];
      events = [];
      if (currentHour.size > 10_000) currentHour.clear();
      for (const [serviceId, hour, agg] of written) {
        const cached = currentHour.get(serviceId);
        if (!cached || cached.hour <= hour) currentHour.set(serviceId, { hour, agg });
      }
      return { results: batch.length, events: evBatch.length };
    },
    prune() {
      const now = opts.clock.now();
      const deleted = { raw: 0, rollups: 0, events: 0 };
      let budget = pruneChunk;
      let more = false;
      db.tx(() => {
        const rawBefore = now - retention.rawMs;
        const series = s.seriesPage.all(pruneCursor, PRUNE_SERIES_PER_CALL).map((r) => Number(r.id));
        for (const id of series) {
          const n = Number(s.pruneRaw.run(id, rawBefore, budget).changes);
          deleted.raw += n;
          budget -= n;
          if (budget <= 0) {
            more = true; // this series may hold more: start here next time
            break;
          }
          pruneCursor = id;
        }
        if (!more) {
          if (series.length === PRUNE_SERIES_PER_CALL) more = true; // more series after this page
          else pruneCursor = 0; // wrapped around
        }
        if (budget > 0) {
          deleted.rollups = Number(s.pruneRollups.run(now - retention.rollupMs, budget).changes);
          budget -= deleted.rollups;
        }
        if (budget > 0) {
          deleted.events = Number(s.pruneEvents.run(now - retention.eventMs, budget).changes);
          budget -= deleted.events;
        }
        if (budget <= 0) more = true;
      });
      return { deleted, more };
    },
    recentChecks(serviceId, limit) {
      const series = lookupSeries(serviceId);
      if (series === undefined) return [];
      return s.recent.all(series, clampInt(limit, 1, 1000)).map(toCheck(serviceId));
    },
    lastChecks(serviceId, n = 50) {
      return this.recentChecks(serviceId, n).reverse();
    },
    uptime(serviceId, now) {
      const series = lookupSeries(serviceId);
      const window = (ms: number): UptimeWindow => {
        const start = now - ms;
        const firstWholeHour = Math.ceil(start / HOUR) * HOUR;
        const whole = s.rollupSum.get(serviceId, firstWholeHour, now)!;
        let checks = Number(whole.checks);
        let failures = Number(whole.failures);
        if (series !== undefined && start >= now - retention.rawMs && start < firstWholeHour) {
          const edge = s.rawCount.get(series, start, firstWholeHour)!;
          checks += Number(edge.checks);
          failures += Number(edge.checks) - Number(edge.ok);
        }
        return { checks, failures, ratio: checks === 0 ? null : (checks - failures) / checks };
      };
      return { '24h': window(24 * HOUR), '7d': window(7 * 24 * HOUR), '30d': window(30 * 24 * HOUR) };
    },
    latencyPercentiles(serviceId, now) {
      const start = now - 24 * HOUR;
      const firstWholeHour = Math.ceil(start / HOUR) * HOUR;
      const buckets = emptyBuckets();
      let min: number | null = null;
      let max: number | null = null;
      for (const r of s.rollupHists.all(serviceId, firstWholeHour, now)) {
        mergeBuckets(buckets, parseBuckets(r.buckets));
        if (r.latency_min != null) min = min === null ? Number(r.latency_min) : Math.min(min, Number(r.latency_min));
        if (r.latency_max != null) max = max === null ? Number(r.latency_max) : Math.max(max, Number(r.latency_max));
      }
      const series = lookupSeries(serviceId);
      if (series !== undefined && start < firstWholeHour) {
        for (const [ms] of s.okLatencies.all(series, start, firstWholeHour) as unknown as [number][]) {
          buckets[bucketIndex(ms)]!++;
          min = min === null ? ms : Math.min(min, ms);
          max = max === null ? ms : Math.max(max, ms);
        }
      }
      let samples = 0;
      for (const n of buckets) samples += n;
      return { p50: estimateQuantile(buckets, 0.5, min, max), p95: estimateQuantile(buckets, 0.95, min, max), samples };
    },
    events(serviceId, limit = 50) {
      return s.events.all(serviceId, clampInt(limit, 1, 1000)).map(toEvent);
    },
    latencySeries(serviceId, since, now) {
      if (now - since <= RAW_SERIES_MAX_RANGE && since >= now - retention.rawMs) {
        const series = lookupSeries(serviceId);
        if (series === undefined) return { resolution: 'raw', points: [] };
        const points = s.rawPoints
          .all(series, since, now, RAW_SERIES_LIMIT)
          .map((r) => ({ timestamp: Number(r.ts), ok: Number(r.ok) === 1, latencyMs: Number(r.latency_ms) }))
          .reverse();
        return { resolution: 'raw', points };
      }
      const points = s.hourPoints
        .all(serviceId, floorHour(since), now, HOUR_SERIES_LIMIT)
        .map((r): HourPoint => {
          const checks = Number(r.checks);
          const ok = checks - Number(r.failures);
          return {
            timestamp: Number(r.hour),
            checks,
            failures: Number(r.failures),
            avgMs: ok > 0 ? Number(r.latency_sum) / ok : null,
            minMs: r.latency_min == null ? null : Number(r.latency_min),
            maxMs: r.latency_max == null ? null : Number(r.latency_max),
            p95Ms: r.latency_p95 == null ? null : Number(r.latency_p95),
          };
        })
        .reverse();
      return { resolution: 'hour', points };
    },
    stats: () => ({ buffered: results.length, bufferedEvents: events.length, dropped }),
  };
}
