import { Hono } from 'hono';
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

/** The sidecar's HTTP API. Handlers only read state; nothing here samples the host. */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
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
