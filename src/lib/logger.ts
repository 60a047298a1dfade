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
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  const base: PinoOptions = { level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { name: 'prodpulse' }, hooks: { logMethod: redactTokenParams } };
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
function redactTokenParams(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void): void {
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
