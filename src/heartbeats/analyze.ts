/**
 * Offline heartbeat analysis (`prodpulse analyze`, `POST /analyze`): the semantics of the analyzer our users
 * run today, so they can switch without surprises (issue 10).
 *
 * - Input: a JSON array of `{service, timestamp}` objects (extra keys ignored), fed as bytes in any chunking
 *   (json-events.ts reads it element by element) or as already-parsed values.
 * - Validation per element, first match wins: not an object → unexpected_error; `service` key absent →
 *   missing_service; `timestamp` absent → missing_timestamp; service null or "" → empty_service; timestamp null
 *   or "" → empty_timestamp; timestamp not parseable (timestamps.ts) → invalid_timestamp_format; service (trimmed,
 *   lower-cased) not matching ^[a-z0-9_-]{1,100}$, or not a string → invalid_service_format.
 * - Per service, events sorted by time; between consecutive events every `allowed_misses` missed deadlines
 *   raise an alert {service, alert_at: the deadline, missed_count, last_seen}; the next alert in the same gap
 *   counts from the previous alert's deadline; an event resets the count (see `gapAlerts`). With `until`, the
 *   silence from a service's last event to `until` is a gap as well (the old tool never reported it).
 * - Services, and alerts grouped by service, come in order of first appearance among valid events.
 * Times are whole microseconds (timestamps.ts) so every comparison is exact; output times are UTC `…Z`.
 */
import { performance } from 'node:perf_hooks';
import { JsonEventReader, Tag, emptyFields, type EventFields } from './json-events.ts';
import { missedIntervals } from './missed.ts';
import { sortMicros } from './sort-micros.ts';
import { MICROS_PER_SECOND, formatMicros, parseTimestampBytes, parseTimestampString, secondsToMicros } from './timestamps.ts';

export const INVALID_REASONS = [
  'missing_service',
  'missing_timestamp',
  'empty_service',
  'empty_timestamp',
  'invalid_timestamp_format',
  'invalid_service_format',
  'unexpected_error',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

const R_MISSING_SERVICE = 0;
const R_MISSING_TIMESTAMP = 1;
const R_EMPTY_SERVICE = 2;
const R_EMPTY_TIMESTAMP = 3;
const R_INVALID_TIMESTAMP = 4;
const R_INVALID_SERVICE = 5;
const R_UNEXPECTED = 6;

export const SERVICE_NAME = /^[a-z0-9_-]{1,100}$/;

/** Defaults when an option is not given (the live defaults: allowed_misses 3, tolerance 0; interval 60 s). */
export const ANALYZE_DEFAULTS = { intervalSeconds: 60, allowedMisses: 3, toleranceSeconds: 0 } as const;
export const LIMITS = { intervalSeconds: [1, 86_400], allowedMisses: [1, 100] } as const;

export interface AnalyzeOptions {
  /** expected period, 1–86400 s (fractions allowed, kept to the microsecond) */
  intervalSeconds?: number;
  /** consecutive missed deadlines per alert, integer 1–100 */
  allowedMisses?: number;
  /** grace added to every deadline, ≥ 0 s */
  toleranceSeconds?: number;
  /** also report the silence from each service's last event to this instant (microseconds since the epoch) */
  untilMicros?: number;
  /** alerts kept in the result (the total is always counted); default 1 000 000 */
  maxAlerts?: number;
  /** invalid events listed with their index (each reason is always counted); default 10 000 */
  maxInvalidListed?: number;
  /** services listed (services_total always counts them all); default 100 000 */
  maxServicesListed?: number;
  /** monotonic milliseconds, for duration_ms */
  now?: () => number;
}

export interface HeartbeatAlert {
  service: string;
  /** the deadline whose miss completed the count */
  alert_at: string;
  missed_count: number;
  /** the last event before the silence, or the previous alert's deadline in the same gap */
  last_seen: string;
}

export interface ServiceSummary {
  service: string;
  events: number;
  first_seen: string;
  last_seen: string;
  alerts: number;
}

export interface AnalyzeResult {
  total_events: number;
  valid_events: number;
  invalid_events: number;
  invalid_by_reason: Record<InvalidReason, number>;
  /** invalid elements with their index in the input array, in input order (at most maxInvalidListed) */
  invalid: { index: number; reason: InvalidReason }[];
  invalid_truncated: boolean;
  /** in order of first appearance among valid events */
  services: ServiceSummary[];
  services_total: number;
  alerts: HeartbeatAlert[];
  alerts_total: number;
  alerts_truncated: boolean;
  options: { interval_seconds: number; allowed_misses: number; tolerance_seconds: number; until: string | null };
  duration_ms: number;
}

/** Checked options in microseconds. Throws RangeError naming the option. */
export function resolveOptions(o: AnalyzeOptions) {
  const interval = o.intervalSeconds ?? ANALYZE_DEFAULTS.intervalSeconds;
  const allowed = o.allowedMisses ?? ANALYZE_DEFAULTS.allowedMisses;
  const tolerance = o.toleranceSeconds ?? ANALYZE_DEFAULTS.toleranceSeconds;
  if (!(interval >= LIMITS.intervalSeconds[0] && interval <= LIMITS.intervalSeconds[1])) throw new RangeError(`interval must be between 1 and 86400 seconds (got ${interval})`);
  if (!(Number.isInteger(allowed) && allowed >= LIMITS.allowedMisses[0] && allowed <= LIMITS.allowedMisses[1])) throw new RangeError(`allowed_misses must be an integer between 1 and 100 (got ${allowed})`);
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) throw new RangeError(`tolerance must be a number ≥ 0 (got ${tolerance})`);
  if (o.untilMicros !== undefined && !Number.isFinite(o.untilMicros)) throw new RangeError('until must be a time');
  return {
    intervalUs: Math.round(interval * MICROS_PER_SECOND),
    toleranceUs: Math.round(tolerance * MICROS_PER_SECOND),
    allowed,
    interval,
    tolerance,
    untilUs: o.untilMicros,
    maxAlerts: o.maxAlerts ?? 1_000_000,
    maxInvalidListed: o.maxInvalidListed ?? 10_000,
    maxServicesListed: o.maxServicesListed ?? 100_000,
    now: o.now ?? (() => performance.now()),
  };
}

/**
 * The alerts of one silence from `last` to `at` (an event, or `until`): deadlines last + k·interval, k ≥ 1, are
 * missed while deadline + tolerance < at (missedIntervals); every `allowed`-th missed one is an alert whose
 * last_seen is `last` for the first and the previous alert's deadline after that. Calls emit(alertAt, lastSeen)
 * for at most `limit` of them and returns how many there are in all.
 */
export function gapAlerts(last: number, at: number, intervalUs: number, toleranceUs: number, allowed: number, limit: number, emit: (alertAt: number, lastSeen: number) => void): number {
  const missed = missedIntervals(last, at, intervalUs, toleranceUs);
  const total = Math.floor(missed / allowed);
  const shown = Math.min(total, limit);
  for (let j = 1; j <= shown; j++) emit(last + j * allowed * intervalUs, last + (j - 1) * allowed * intervalUs);
  return total;
}

interface Series {
  name: string;
  ts: Float64Array;
  n: number;
}

const SERVICE_CACHE_MAX = 10_000;

/**
 * Collects events (as bytes through `write`/`end`, or values through `addValue`) and computes the result at
 * `finish()`. Memory: 8 bytes per valid event plus the invalid-event list (bounded).
 */
export class HeartbeatAnalysis {
  readonly #o: ReturnType<typeof resolveOptions>;
  readonly #started: number;
  #total = 0;
  #valid = 0;
  readonly #byReason = [0, 0, 0, 0, 0, 0, 0];
  readonly #invalid: { index: number; reason: InvalidReason }[] = [];
  /** raw service string → series index, or -1 when its format is invalid */
  readonly #cache = new Map<string, number>();
  readonly #byName = new Map<string, number>();
  /** FNV-1a of the raw service bytes → those bytes and their series index (-1: invalid) */
  readonly #byteCache = new Map<number, { key: Uint8Array; id: number }>();
  readonly #series: Series[] = [];
  #reader: JsonEventReader | undefined;

  constructor(options: AnalyzeOptions = {}) {
    this.#o = resolveOptions(options);
    this.#started = this.#o.now();
  }

  /** events seen so far */
  get count(): number {
    return this.#total;
  }

  /** bytes of JSON read so far (byte input only) */
  get bytesRead(): number {
    return this.#reader?.offset ?? 0;
  }

  /** Feeds the next chunk of the JSON document. Throws JsonInputError / NotAnArrayError (json-events.ts). */
  write(chunk: Uint8Array): void {
    this.#reader ??= new JsonEventReader((i, f) => this.#add(i, f));
    this.#reader.write(chunk);
  }

  /** Ends the JSON document (throws when incomplete). */
  end(): void {
    this.#reader ??= new JsonEventReader((i, f) => this.#add(i, f));
    this.#reader.end();
  }

  /** Adds one already-parsed array element. */
  addValue(value: unknown): void {
    this.#add(this.#total, fieldsOf(value));
  }

  #add(index: number, f: EventFields): void {
    this.#total++;
    const reason = this.#classify(f);
    if (reason >= 0) {
      this.#byReason[reason]!++;
      if (this.#invalid.length < this.#o.maxInvalidListed) this.#invalid.push({ index, reason: INVALID_REASONS[reason]! });
    }
  }

  /** Records a valid event and returns -1, or returns the reason code. */
  #classify(f: EventFields): number {
    if (!f.isObject) return R_UNEXPECTED;
    if (f.service === Tag.Absent) return R_MISSING_SERVICE;
    if (f.timestamp === Tag.Absent) return R_MISSING_TIMESTAMP;
    const serviceRaw = f.serviceStart >= 0;
    const timestampRaw = f.timestampStart >= 0;
    if (f.service === Tag.Null || (f.service === Tag.String && (serviceRaw ? f.serviceEnd === f.serviceStart : f.serviceStr === ''))) return R_EMPTY_SERVICE;
    if (f.timestamp === Tag.Null || (f.timestamp === Tag.String && (timestampRaw ? f.timestampEnd === f.timestampStart : f.timestampStr === ''))) return R_EMPTY_TIMESTAMP;
    const us =
      f.timestamp === Tag.String
        ? timestampRaw
          ? parseTimestampBytes(f.bytes, f.timestampStart, f.timestampEnd)
          : parseTimestampString(f.timestampStr)
        : f.timestamp === Tag.Number
          ? secondsToMicros(f.timestampNum)
          : undefined;
    if (us === undefined) return R_INVALID_TIMESTAMP;
    if (f.service !== Tag.String) return R_INVALID_SERVICE;
    const id = serviceRaw ? this.#serviceIdBytes(f.bytes, f.serviceStart, f.serviceEnd) : this.#serviceId(f.serviceStr);
    if (id < 0) return R_INVALID_SERVICE;
    const s = this.#series[id]!;
    if (s.n === s.ts.length) {
      const grown = new Float64Array(s.ts.length * 2);
      grown.set(s.ts);
      s.ts = grown;
    }
    s.ts[s.n++] = us;
    this.#valid++;
    return -1;
  }

  /** raw service string → series index, or -1 when its format is invalid */
  #serviceId(raw: string): number {
    let id = this.#cache.get(raw);
    if (id !== undefined) return id;
    const name = raw.trim().toLowerCase();
    if (!SERVICE_NAME.test(name)) id = -1;
    else {
      id = this.#byName.get(name);
      if (id === undefined) {
        id = this.#series.length;
        this.#byName.set(name, id);
        this.#series.push({ name, ts: new Float64Array(8), n: 0 });
      }
    }
    if (this.#cache.size < SERVICE_CACHE_MAX) this.#cache.set(raw, id);
    return id;
  }

  /** The same for the ASCII bytes b[s, e), without making a string when they were seen before (hash + compare). */
  #serviceIdBytes(b: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 16777619);
    const hit = this.#byteCache.get(h);
    if (hit !== undefined && hit.key.length === e - s) {
      const k = hit.key;
      let same = true;
      for (let i = 0; i < k.length; i++) {
        if (k[i] !== b[s + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit.id;
    }
    const id = this.#serviceId(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'));
    if (hit === undefined && this.#byteCache.size < SERVICE_CACHE_MAX) this.#byteCache.set(h, { key: b.slice(s, e), id });
    return id;
  }

  /** Sorts every service's events and runs the missed-interval loop. */
  finish(): AnalyzeResult {
    const o = this.#o;
    const alerts: HeartbeatAlert[] = [];
    let alertsTotal = 0;
    const services: ServiceSummary[] = [];
    for (const s of this.#series) {
      const ts = s.ts.subarray(0, s.n);
      if (!isSorted(ts)) sortMicros(ts); // files written as events happen are mostly in order already
      let count = 0;
      const emit = (alertAt: number, lastSeen: number) => {
        alerts.push({ service: s.name, alert_at: formatMicros(alertAt), missed_count: o.allowed, last_seen: formatMicros(lastSeen) });
      };
      for (let i = 1; i < ts.length; i++) {
        // fast path: most gaps have no missed deadline at all
        if (ts[i]! - ts[i - 1]! - o.toleranceUs <= o.intervalUs) continue;
        count += gapAlerts(ts[i - 1]!, ts[i]!, o.intervalUs, o.toleranceUs, o.allowed, Math.max(0, o.maxAlerts - alerts.length), emit);
      }
      const lastTs = ts[ts.length - 1]!;
      if (o.untilUs !== undefined && o.untilUs > lastTs) {
        count += gapAlerts(lastTs, o.untilUs, o.intervalUs, o.toleranceUs, o.allowed, Math.max(0, o.maxAlerts - alerts.length), emit);
      }
      alertsTotal += count;
      if (services.length < o.maxServicesListed) services.push({ service: s.name, events: s.n, first_seen: formatMicros(ts[0]!), last_seen: formatMicros(lastTs), alerts: count });
    }
    const invalidByReason = Object.fromEntries(INVALID_REASONS.map((r, i) => [r, this.#byReason[i]!])) as Record<InvalidReason, number>;
    const invalidEvents = this.#total - this.#valid;
    return {
      total_events: this.#total,
      valid_events: this.#valid,
      invalid_events: invalidEvents,
      invalid_by_reason: invalidByReason,
      invalid: this.#invalid,
      invalid_truncated: this.#invalid.length < invalidEvents,
      services,
      services_total: this.#series.length,
      alerts,
      alerts_total: alertsTotal,
      alerts_truncated: alerts.length < alertsTotal,
      options: { interval_seconds: o.interval, allowed_misses: o.allowed, tolerance_seconds: o.tolerance, until: o.untilUs === undefined ? null : formatMicros(o.untilUs) },
      duration_ms: Math.round((o.now() - this.#started) * 1000) / 1000,
    };
  }
}

function isSorted(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i]! < a[i - 1]!) return false;
  return true;
}

/** The fields of an already-parsed element, as the byte reader would report them. */
export function fieldsOf(value: unknown): EventFields {
  const f = emptyFields();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return f;
  f.isObject = true;
  const o = value as Record<string, unknown>;
  if (Object.hasOwn(o, 'service')) {
    const v = o.service;
    f.service = v === null ? Tag.Null : typeof v === 'string' ? Tag.String : typeof v === 'number' ? Tag.Number : Tag.Other;
    if (typeof v === 'string') f.serviceStr = v;
  }
  if (Object.hasOwn(o, 'timestamp')) {
    const v = o.timestamp;
    f.timestamp = v === null ? Tag.Null : typeof v === 'string' ? Tag.String : typeof v === 'number' ? Tag.Number : Tag.Other;
    if (typeof v === 'string') f.timestampStr = v;
    if (typeof v === 'number') f.timestampNum = v;
  }
  return f;
}

/** Analyzes an already-parsed array. */
export function analyzeEvents(events: readonly unknown[], options: AnalyzeOptions = {}): AnalyzeResult {
  const a = new HeartbeatAnalysis(options);
  for (const e of events) a.addValue(e);
  return a.finish();
}

/** Analyzes a JSON document given as bytes (one buffer or chunks). Throws JsonInputError / NotAnArrayError. */
export function analyzeJson(input: Uint8Array | Iterable<Uint8Array>, options: AnalyzeOptions = {}): AnalyzeResult {
  const a = new HeartbeatAnalysis(options);
  if (input instanceof Uint8Array) a.write(input);
  else for (const chunk of input) a.write(chunk);
  a.end();
  return a.finish();
}
