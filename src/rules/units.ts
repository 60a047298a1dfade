/**
 * A metric's unit, read from its name by the Prometheus conventions (base units, `_ratio` 0–1), and values shown
 * in it for people: `_bytes` → KiB/MiB/GiB, `_ratio` → %, `_seconds` → a duration, `*_timestamp_seconds` and
 * `*_time_seconds` → a date, anything else (counts, load) → a plain number. Machine payloads keep the raw number.
 */
import { formatBytes, formatNumber, formatSeconds } from './templates.ts';

export type Unit = 'bytes' | 'ratio' | 'seconds' | 'timestamp' | 'number';

export function unitOf(metric: string | undefined): Unit {
  if (!metric) return 'number';
  const base = metric.replace(/_total$/, '');
  if (base.endsWith('_bytes')) return 'bytes';
  if (base.endsWith('_ratio')) return 'ratio';
  if (/_(timestamp|time)_seconds$/.test(base)) return 'timestamp';
  if (base.endsWith('_seconds')) return 'seconds';
  return 'number';
}

/** A ratio as a percentage with one decimal (trailing .0 dropped): 0.2421 → "24.2%", 0.9 → "90%". */
export function formatRatioPercent(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  const pct = v * 100;
  const text = Math.abs(pct) < 1 && pct !== 0 ? String(Number(pct.toPrecision(2))) : pct.toFixed(1).replace(/\.0$/, '');
  return `${text}%`;
}

/** Up to 4 significant digits, integers and large values whole: 0.95342 → "0.9534", 12345.6 → "12346". */
export function formatPlain(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return formatNumber(v);
  return Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(4)));
}

export function formatInUnit(v: number, unit: Unit): string {
  switch (unit) {
    case 'bytes':
      return formatBytes(v);
    case 'ratio':
      return formatRatioPercent(v);
    case 'seconds':
      return formatSeconds(v);
    case 'timestamp':
      return Number.isFinite(v) ? new Date(v * 1000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : formatNumber(v);
    case 'number':
      return formatPlain(v);
  }
}

/** A value of `metric` as people read it. */
export function formatMetricValue(metric: string | undefined, v: number): string {
  return formatInUnit(v, unitOf(metric));
}
