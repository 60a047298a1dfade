import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AnalyzeInputError, createAnalyzeRunner, type AnalyzeRunner } from '../../heartbeats/analyze-runner.ts';
import { parseTimestampString } from '../../heartbeats/timestamps.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { jsonError } from '../errors.ts';

/** Largest body POST /analyze reads (JSON or multipart): 64 MiB, about 1 000 000 events. */
export const ANALYZE_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Alerts listed in a response (alerts_total always counts them all). */
export const ANALYZE_MAX_ALERTS = 100_000;
/** Services listed in a response (services_total always counts them all). */
export const ANALYZE_MAX_SERVICES = 10_000;

export interface AnalyzeRouteDeps {
  clock?: Clock;
  logger?: Logger;
  /** default createAnalyzeRunner(): inline up to 256 KB, a worker thread above */
  runner?: AnalyzeRunner;
  maxBodyBytes?: number;
  /** analyses running at once; more get a 503 (default 2: the machine this runs on is small) */
  maxConcurrent?: number;
  /** e.g. the bearer-token guard, run before the body is read */
  guard?: MiddlewareHandler;
}

const num = (name: string) => z.string().trim().regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, `${name} must be a number`).transform(Number);

/** The query options of POST /analyze (strict: an unknown parameter is a 400); its description is analyze.api.ts. */
export const analyzeQuery = z.strictObject({
  interval: num('interval').pipe(z.number().min(1).max(86_400)).optional(),
  allowed_misses: num('allowed_misses').pipe(z.number().int().min(1).max(100)).optional(),
  tolerance: num('tolerance').pipe(z.number().min(0).max(1e9)).optional(),
  until: z.string().optional(),
});

/**
 * POST /analyze: the offline heartbeat analysis (src/heartbeats/analyze.ts) of a JSON array of events sent as
 * the body (any content type but multipart) or as the `file` field of a multipart/form-data upload. Options
 * as query parameters: interval (s, 1–86400, default 60), allowed_misses (1–100, default 3), tolerance (s ≥ 0,
 * default 0), until (a time or `now`). 200 with the full result; 400 naming the parameter or the JSON error;
 * 413 above 64 MiB; 503 when `maxConcurrent` analyses are already running. Bodies above 256 KB are analyzed on a
 * worker thread, so /metrics keeps answering.
 */
export function analyzeRoutes(app: Hono, deps: AnalyzeRouteDeps = {}): void {
  const clock = deps.clock ?? systemClock;
  const runner = deps.runner ?? createAnalyzeRunner();
  const maxBody = deps.maxBodyBytes ?? ANALYZE_MAX_BODY_BYTES;
  const maxConcurrent = deps.maxConcurrent ?? 2;
  let running = 0;
  const limit = bodyLimit({ maxSize: maxBody, onError: (c) => jsonError(c, 413, `request body larger than ${maxBody} bytes`) });
  const guard: MiddlewareHandler = deps.guard ?? (async (_c, next) => next());

  app.post('/analyze', guard, limit, async (c: Context) => {
    const q = analyzeQuery.safeParse(c.req.query());
    if (!q.success) {
      const details = q.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ parameter: k, message: 'unknown parameter' })) : [{ parameter: i.path.join('.'), message: i.message }],
      );
      return jsonError(c, 400, `invalid query parameter ${details.map((d) => d.parameter).join(', ')}`, details);
    }
    let untilMicros: number | undefined;
    if (q.data.until !== undefined) {
      untilMicros = q.data.until.trim().toLowerCase() === 'now' ? Math.round(clock.now() * 1000) : parseTimestampString(q.data.until);
      if (untilMicros === undefined) {
        return jsonError(c, 400, 'invalid query parameter until', [{ parameter: 'until', message: 'must be "now", an ISO 8601 time or unix seconds' }]);
      }
    }
    if (running >= maxConcurrent) {
      c.header('Retry-After', '5');
      return jsonError(c, 503, `${running} analyses are running; try again shortly`);
    }
    running++;
    try {
      let bytes: Uint8Array;
      if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
        let form: Record<string, unknown>;
        try {
          form = await c.req.parseBody();
        } catch {
          return jsonError(c, 400, 'invalid multipart body');
        }
        const file = form.file;
        if (!(file instanceof Blob)) return jsonError(c, 400, 'multipart body needs a "file" field holding the events file', [{ field: 'file', message: 'missing' }]);
        bytes = new Uint8Array(await file.arrayBuffer());
      } else {
        bytes = new Uint8Array(await c.req.arrayBuffer());
      }
      const result = await runner(bytes, {
        intervalSeconds: q.data.interval,
        allowedMisses: q.data.allowed_misses,
        toleranceSeconds: q.data.tolerance,
        untilMicros,
        maxAlerts: ANALYZE_MAX_ALERTS,
        maxServicesListed: ANALYZE_MAX_SERVICES,
      });
      deps.logger?.info({ bytes: bytes.byteLength, events: result.total_events, alerts: result.alerts_total, durationMs: result.duration_ms }, 'analyze done');
      return c.json(result);
    } catch (err) {
      if (err instanceof AnalyzeInputError) {
        return jsonError(c, 400, err.kind === 'json' ? `invalid JSON: ${err.message}` : err.message);
      }
      throw err;
    } finally {
      running--;
    }
  });
}
