import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { ExpositionCache } from '../metrics/exposition.ts';
import type { SnapshotStore } from '../snapshot/store.ts';
import { jsonError } from './errors.ts';
import { healthRoutes } from './routes/health.ts';
import { liveRoute } from './routes/live.ts';
import { metricsRoute } from './routes/metrics.ts';

export interface HttpDeps {
  exposition: ExpositionCache;
  store: SnapshotStore;
  clock: Clock;
  logger: Logger;
  startedAt: number;
  version: string;
  intervalMs: () => number;
  /** HEALTHY / DEGRADED / DOWN per target, for /metrics/live */
  status?: () => unknown;
  /** GET /health's `services` (serviceSummaries from routes/services.ts), ?environment= passed through */
  services?: (environment?: string) => unknown[];
  /** extra route groups (alerts, silences, …) mounted after the core ones */
  extraRoutes?: ((app: Hono) => void)[];
  /** middleware that runs before every route (basic auth) */
  guards?: Parameters<Hono['use']>[1][];
}

/** The largest request body any endpoint reads (a silence is well under 1 kB); larger ones get 413 unread. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The sidecar's HTTP API. Handlers only read state; nothing here samples the host. */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  // a wrong method on an existing route: 405 with Allow (JSON like every other error)
  app.use('*', methodNotAllowed({ app, onMethodNotAllowed: (c, methods) => c.json({ error: `${c.req.method} is not allowed on ${c.req.path}; allowed: ${methods.join(', ')}` }, 405, { Allow: methods.join(', ') }) }));
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => jsonError(c, 413, `request body too large: the limit is ${MAX_BODY_BYTES / 1024} KB (${MAX_BODY_BYTES} bytes)`) }));
  for (const g of deps.guards ?? []) app.use('*', g);
  metricsRoute(app, deps.exposition, () => deps.store.latest !== undefined);
  liveRoute(app, deps);
  healthRoutes(app, deps);
  for (const add of deps.extraRoutes ?? []) add(app);
  app.get('/', (c) =>
    c.json({ name: 'prodpulse', version: deps.version, endpoints: ['/metrics', '/metrics/live', '/health', '/ready', '/alerts', '/silences', '/heartbeat/:service', '/heartbeats', '/analyze'] }),
  );
  app.notFound((c) => jsonError(c, 404, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((err, c) => {
    deps.logger.error({ err: { message: err.message, name: err.name } }, 'request failed');
    return jsonError(c, 500, 'internal error');
  });
  return app;
}
