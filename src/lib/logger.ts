import { pino, type Logger, type DestinationStream, type LoggerOptions as PinoOptions } from 'pino';
import { TOKEN_PARAM } from './redact.ts';

export type { Logger };

/** Field paths whose values never reach a log line. Channel configs and auth headers carry secrets. */
export const REDACT_PATHS = [
  'token',
  'password',
  'pass',
  'secret',
  'authorization',
  'url',
  'api_url',
  'headers',
  '*.token',
  '*.password',
  '*.pass',
  '*.secret',
  '*.authorization',
  '*.url',
  '*.api_url',
  '*.headers',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.channels',
  'config.server.token',
  'config.server.basic_auth_users',
];

export interface LoggerOptions {
  level?: string;
  /** where JSON lines go; default stdout (pretty-printed when stdout is a TTY) */
  destination?: DestinationStream;
  /** repeated identical lines (same level, message and fields) kept per window; the rest are counted, not written */
  repeats?: { max: number; windowMs: number; now?: () => number };
}

/** Fields that change between otherwise identical lines (a retry's attempt number) do not make a line new. */
const VOLATILE_FIELDS = new Set(['attempt', 'attempts', 'retriesLeft', 'retryInMs', 'durationMs', 'time']);

/**
 * pino's logMethod hook that drops identical lines past `max` per window: a misbehaving far end (a 503 loop) or a
 * timer fault cannot fill the disk with one line. When a window that dropped lines ends, the next line of that
 * kind carries `repeatsSuppressed: N`.
 */
export function repeatLimiter(opts: { max: number; windowMs: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const seen = new Map<string, { since: number; n: number; dropped: number }>();
  return function logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number): void {
    const [first, ...rest] = args;
    const fields = first !== null && typeof first === 'object' && !(first instanceof Error) ? (first as Record<string, unknown>) : undefined;
    let key: string;
    try {
      key = `${level}\0${String(fields ? rest[0] : first)}\0${fields ? JSON.stringify(fields, (k, v: unknown) => (VOLATILE_FIELDS.has(k) ? undefined : v)) : ''}`;
    } catch {
      return method.apply(this, args);
    }
    const t = now();
    let e = seen.get(key);
    if (e && t - e.since >= opts.windowMs) {
      const dropped = e.dropped;
      seen.delete(key);
      e = undefined;
      if (dropped > 0) {
        seen.set(key, { since: t, n: 1, dropped: 0 });
        return method.apply(this, fields ? [{ ...fields, repeatsSuppressed: dropped }, ...rest] : [{ repeatsSuppressed: dropped }, ...args]);
      }
    }
    if (!e) {
      if (seen.size >= 5000) seen.delete(seen.keys().next().value!);
      seen.set(key, { since: t, n: 1, dropped: 0 });
      return method.apply(this, args);
    }
    e.n += 1;
    if (e.n <= opts.max) return method.apply(this, args);
    e.dropped += 1;
  };
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  const repeats = opts.repeats ?? { max: 20, windowMs: 60_000 };
  const base = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { name: 'prodpulse' },
    hooks: { logMethod: composeLogMethods(redactTokenParams, repeatLimiter(repeats)) as never },
  };
  if (opts.destination) return pino(base, opts.destination);
  if (process.stdout.isTTY && process.env.NODE_ENV !== 'production') {
    try {
      return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
    } catch {
      // pino-pretty is a dev dependency; production images log JSON
    }
  }
  return pino(base);
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const scrub = (v: unknown): unknown => (typeof v === 'string' && v.includes('=') ? v.replace(TOKEN_PARAM, '$1[REDACTED]') : v);

/**
 * `?token=…` never reaches a log line, whatever field or message carries it (heartbeat pings from cron one-liners
 * put the token in the URL): the message and the top-level string fields of the logged object are scrubbed.
 */
/** Chains pino logMethod hooks: each calls the next as its `method`; the last calls pino's. */
function composeLogMethods(...hooks: ((this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number) => void)[]) {
  return function logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number): void {
    const run = (i: number, a: unknown[]): void => {
      const hook = hooks[i];
      if (!hook) return method.apply(this, a);
      hook.call(this, a, (...next: unknown[]) => run(i + 1, next), level);
    };
    run(0, args);
  };
}

function redactTokenParams(this: unknown, args: unknown[], method: (...a: unknown[]) => void): void {
  const out: unknown[] = args.map(scrub);
  const first = out[0];
  if (first !== null && typeof first === 'object' && !(first instanceof Error)) {
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(first)) {
      const s = scrub(v);
      if (s !== v) (copy ??= { ...(first as Record<string, unknown>) })[k] = s;
    }
    if (copy) out[0] = copy;
  }
  method.apply(this, out);
}
