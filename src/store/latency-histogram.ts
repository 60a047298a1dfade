/**
 * A fixed latency histogram: the hourly rollups keep one per service-hour so a percentile can be estimated for one
 * hour and for any merge of hours (counts add up; percentiles do not). The bucket bounds never change once rows are
 * written: a new layout needs a migration.
 */

/**
 * Upper bounds (ms, inclusive) of every bucket but the last; the last bucket is everything above 60 s. Neighbours
 * are 20-33 % apart above 10 ms, so an estimate interpolated inside a bucket is off by a fraction of that.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 800, 1000,
  1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000, 12000, 15000, 20000, 30000, 60000,
];
export const BUCKET_COUNT = LATENCY_BUCKETS_MS.length + 1;

export function emptyBuckets(): number[] {
  return new Array<number>(BUCKET_COUNT).fill(0);
}

/** the first bucket whose bound is ≥ ms (binary search) */
export function bucketIndex(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BUCKETS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms <= LATENCY_BUCKETS_MS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Adds b into a (same layout). */
export function mergeBuckets(a: number[], b: readonly number[]): number[] {
  for (let i = 0; i < BUCKET_COUNT; i++) a[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return a;
}

/** Parses a stored bucket array; anything malformed counts as empty rather than failing a query. */
export function parseBuckets(text: unknown): number[] {
  try {
    const v = JSON.parse(String(text)) as unknown;
    if (Array.isArray(v) && v.length === BUCKET_COUNT && v.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return v as number[];
  } catch {
    // fall through
  }
  return emptyBuckets();
}

/**
 * Estimates the q-quantile (0 < q ≤ 1) like Prometheus' histogram_quantile: find the bucket holding the rank and
 * interpolate linearly inside it. Known min/max narrow the first and last buckets (and every estimate is clamped
 * to them). null when the histogram is empty.
 */
export function estimateQuantile(buckets: readonly number[], q: number, min?: number | null, max?: number | null): number | null {
  let total = 0;
  for (const n of buckets) total += n;
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  let result = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i]!;
    if (n > 0 && cumulative + n >= rank) {
      let lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      let upper = i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i]! : (max ?? lower);
      if (min != null) lower = Math.max(lower, Math.min(min, upper));
      if (max != null) upper = Math.min(upper, Math.max(max, lower));
      result = lower + ((upper - lower) * (rank - cumulative)) / n;
      break;
    }
    cumulative += n;
  }
  if (min != null) result = Math.max(result, min);
  if (max != null) result = Math.min(result, max);
  return result;
}

/** The exact q-quantile of sorted values (nearest rank), null when empty. */
export function exactQuantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx]!;
}
