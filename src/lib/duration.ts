import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d|w))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/** Parses Prometheus-style durations ("500ms", "5s", "2m", "1h30m", "4h", "7d"); returns milliseconds or undefined. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (!DURATION_RE.test(trimmed)) return undefined;
  let total = 0;
  for (const m of trimmed.matchAll(PART_RE)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

/** Formats milliseconds as a Prometheus duration ("1h30m", "5s", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/**
 * The longest duration any setting accepts: 24 days. Node's timers hold at most 2^31-1 ms (24.8 days); a longer
 * wait fires at once, which turned `sampling.interval: 25d` into a busy loop.
 */
export const MAX_DURATION_MS = 24 * 86_400_000;
const tooLong = (what: string) => `duration ${what} is too long: the limit is 24d (timers cannot wait longer)`;

/** A zod type accepting a duration string (or a number of seconds) and yielding milliseconds. */
export const durationMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'number') {
    if (v < 0 || !Number.isFinite(v)) {
      ctx.addIssue({ code: 'custom', message: `duration must be a non-negative number of seconds, got ${v}` });
      return z.NEVER;
    }
    if (v * 1000 > MAX_DURATION_MS) {
      ctx.addIssue({ code: 'custom', message: tooLong(`${v} (seconds)`) });
      return z.NEVER;
    }
    return v * 1000;
  }
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid duration "${v}" (expected e.g. 500ms, 5s, 2m, 4h, 1d)` });
    return z.NEVER;
  }
  if (!(ms <= MAX_DURATION_MS)) {
    ctx.addIssue({ code: 'custom', message: tooLong(`"${v}"`) });
    return z.NEVER;
  }
  return ms;
});
