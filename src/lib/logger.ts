import { pino, type Logger, type DestinationStream } from 'pino';

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
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' }, base: { name: 'prodpulse' } };
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
