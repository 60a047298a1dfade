/**
 * Heartbeat event timestamps for the offline analyzer, as whole microseconds since the Unix epoch (UTC).
 *
 * Whole microseconds keep every comparison and sum exact (they are integers below 2^53 for any date up to the
 * year 2255) and match the resolution of the analyzer our users run today. Accepted:
 * - ISO 8601 / RFC 3339: `2025-08-04T10:00:00Z`, `2025-08-04 10:00:00+02:00`, `…T10:00:00.123456-0530`,
 *   `…T10:00`, a date alone (`2025-08-04` = midnight); `T`, `t` or a space between date and time; `Z`/`z` or an
 *   offset `±HH:MM`, `±HHMM`, `±HH`; a fraction of any length (`.` or `,`), cut to microseconds.
 * - no zone = UTC (the old tool treated those as local time and crashed when one service mixed both);
 * - unix seconds as a number or a numeric string (`1754301600`, `"1754301600.5"`, `1.7543016e9`), rounded to the
 *   microsecond.
 * Years 1–9999 (the old tool's range); anything else is `undefined` (→ invalid_timestamp_format).
 */

export const MICROS_PER_SECOND = 1_000_000;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z in microseconds. */
export const MIN_MICROS = -62_135_596_800_000_000;
export const MAX_MICROS = 253_402_300_799_999_999;

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Unix seconds (number) → microseconds, or undefined when not finite or outside years 1–9999. */
export function secondsToMicros(seconds: number): number | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  const us = Math.round(seconds * MICROS_PER_SECOND);
  return us >= MIN_MICROS && us <= MAX_MICROS ? us : undefined;
}

/** Reads `n` ASCII digits at `i` (before `end`); -1 when any is missing or not a digit. */
function digits(b: Uint8Array, i: number, n: number, end: number): number {
  if (i + n > end) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = b[i + k]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** A timestamp string (ISO 8601 or unix seconds) → microseconds since the epoch, or undefined. */
export function parseTimestampString(s: string): number | undefined {
  if (s.length > 64) return undefined;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return undefined; // both forms are ASCII
  return parseTimestampBytes(Buffer.from(s, 'latin1'), 0, s.length);
}

/**
 * The same for the ASCII bytes b[start, end) (the streaming reader passes its buffer, so no string is made).
 * Surrounding ASCII whitespace is ignored.
 */
export function parseTimestampBytes(b: Uint8Array, start: number, end: number): number | undefined {
  while (start < end && b[start]! <= 32) start++;
  while (end > start && b[end - 1]! <= 32) end--;
  const len = end - start;
  if (len === 0 || len > 64) return undefined;
  // YYYY-MM-DD…: an ISO date has a '-' at index 4; numbers never do (a sign sits at index 0).
  if (len >= 10 && b[start + 4] === 45) {
    if (len === 20 && b[start + 19] === 90 && b[start + 10] === 84) {
      const us = parseCanonical(b, start);
      if (us !== undefined) return us;
    }
    return parseIso(b, start, end);
  }
  const text = Buffer.from(b.buffer, b.byteOffset + start, len).toString('latin1');
  if (!NUMERIC.test(text)) return undefined;
  return secondsToMicros(Number(text));
}

let cachedDate = -1;
let cachedDays = 0;

/**
 * Fast path for the most common form, `YYYY-MM-DDTHH:MM:SSZ` (20 bytes, T and Z already checked); undefined
 * sends it through parseIso, which has the last word on what is valid.
 */
function parseCanonical(b: Uint8Array, i: number): number | undefined {
  if (b[i + 7] !== 45 || b[i + 13] !== 58 || b[i + 16] !== 58) return undefined;
  let bad = 0;
  const dg = (k: number) => {
    const c = b[i + k]! - 48;
    bad |= c < 0 || c > 9 ? 1 : 0;
    return c;
  };
  const y = dg(0) * 1000 + dg(1) * 100 + dg(2) * 10 + dg(3);
  const mo = dg(5) * 10 + dg(6);
  const d = dg(8) * 10 + dg(9);
  const h = dg(11) * 10 + dg(12);
  const mi = dg(14) * 10 + dg(15);
  const sec = dg(17) * 10 + dg(18);
  if (bad !== 0 || h > 23 || mi > 59 || sec > 59) return undefined;
  const date = y * 10000 + mo * 100 + d;
  if (date !== cachedDate) {
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo]!)) return undefined;
    cachedDays = daysFromCivil(y, mo, d);
    cachedDate = date;
  }
  return (cachedDays * 86400 + h * 3600 + mi * 60 + sec) * MICROS_PER_SECOND;
}

function parseIso(b: Uint8Array, i0: number, end: number): number | undefined {
  const y = digits(b, i0, 4, end);
  const mo = digits(b, i0 + 5, 2, end);
  const d = digits(b, i0 + 8, 2, end);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || b[i0 + 7] !== 45) return undefined;
  if (d > (mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo]!)) return undefined;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let micro = 0;
  let i = i0 + 10;
  if (i < end) {
    const sep = b[i];
    if (sep !== 84 && sep !== 116 && sep !== 32) return undefined; // T t space
    i++;
    h = digits(b, i, 2, end);
    if (h < 0 || h > 23) return undefined;
    i += 2;
    if (i < end && b[i] === 58) {
      mi = digits(b, i + 1, 2, end);
      if (mi < 0 || mi > 59) return undefined;
      i += 3;
      if (i < end && b[i] === 58) {
        sec = digits(b, i + 1, 2, end);
        if (sec < 0 || sec > 59) return undefined;
        i += 3;
        const dot = i < end ? b[i] : 0;
        if (dot === 46 || dot === 44) {
          i++;
          const start = i;
          let scale = 100_000;
          for (; i < end; i++) {
            const c = b[i]! - 48;
            if (c < 0 || c > 9) break;
            micro += c * scale; // digits past the sixth are cut (scale reaches 0)
            scale = (scale / 10) | 0;
          }
          if (i === start) return undefined;
        }
      }
    }
  }
  let offsetMin = 0;
  if (i < end) {
    const z = b[i];
    if (z === 90 || z === 122) {
      i++;
    } else if (z === 43 || z === 45) {
      const oh = digits(b, i + 1, 2, end);
      if (oh < 0 || oh > 23) return undefined;
      i += 3;
      let om = 0;
      if (i < end) {
        if (b[i] === 58) i++;
        om = digits(b, i, 2, end);
        if (om < 0 || om > 59) return undefined;
        i += 2;
      }
      offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
    } else {
      return undefined;
    }
  }
  if (i !== end) return undefined;
  const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offsetMin * 60;
  const us = secs * MICROS_PER_SECOND + micro;
  return us >= MIN_MICROS && us <= MAX_MICROS ? us : undefined;
}

/** A JSON value → microseconds, or undefined when it is not a timestamp (booleans, objects, arrays, bad strings). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return secondsToMicros(value);
  if (typeof value === 'string') return parseTimestampString(value);
  return undefined;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Microseconds → `2025-08-04T10:00:00Z` (UTC), with `.ffffff` only when the microseconds are not zero. */
export function formatMicros(us: number): string {
  const secs = Math.floor(us / MICROS_PER_SECOND);
  const micro = us - secs * MICROS_PER_SECOND;
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const [y, m, d] = civilFromDays(days);
  const base = `${pad(y, 4)}-${pad(m)}-${pad(d)}T${pad(Math.floor(sod / 3600))}:${pad(Math.floor(sod / 60) % 60)}:${pad(sod % 60)}`;
  return micro === 0 ? `${base}Z` : `${base}.${pad(micro, 6)}Z`;
}
