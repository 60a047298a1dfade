import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { TrieRouter } from 'hono/router/trie-router';
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

/**
 * Route groups that bound their bodies themselves, so their own limit and message apply whatever the size:
 * POST /analyze takes up to 64 MiB, a heartbeat ping up to 10 KB (checked by Content-Length, then counted).
 */
const OWN_BODY_LIMIT = ['/analyze', '/heartbeat/'];
const boundsItsOwnBody = (path: string) => OWN_BODY_LIMIT.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));

/** The methods each route path answers (GET implies HEAD), matched like Hono matches; built on first use. */
function allowedMethods(app: Hono, middleware: MiddlewareHandler): (path: string) => string[] {
  let router: TrieRouter<string[]> | undefined;
  return (path) => {
    if (!router) {
      const byPath = new Map<string, Set<string>>();
      for (const r of app.routes) {
        if (r.method === 'ALL' || r.method === 'HEAD' || r.handler === middleware) continue;
        const set = byPath.get(r.path) ?? new Set<string>();
        set.add(r.method);
        if (r.method === 'GET') set.add('HEAD');
        byPath.set(r.path, set);
      }
      router = new TrieRouter<string[]>();
      for (const [p, methods] of byPath) router.add('ALL', p, [...methods]);
    }
    const out = new Set<string>();
    for (const [methods] of router.match('ALL', path)[0]) for (const m of methods) out.add(m);
    return [...out];
  };
}

/** The sidecar's HTTP API. Handlers only read state; nothing here samples the host. */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  // bodies are bounded on the methods that carry one, so GET (scrapes, pings) runs no middleware of ours;
  // routes with a limit of their own (POST /analyze: 64 MiB) apply it themselves
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => jsonError(c, 413, `request body too large: the limit is ${MAX_BODY_BYTES / 1024} KB (${MAX_BODY_BYTES} bytes)`) });
  const bounded: MiddlewareHandler = (c, next) => (boundsItsOwnBody(c.req.path) ? next() : limit(c, next));
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', bounded);
  for (const g of deps.guards ?? []) app.use('*', g);
  metricsRoute(app, deps.exposition, () => deps.store.latest !== undefined);
  liveRoute(app, deps);
  healthRoutes(app, deps);
  for (const add of deps.extraRoutes ?? []) add(app);
  // every path a route answers (the list was hand-written and missed /services, /docs, /openapi.json, /events, …)
  let endpoints: string[] | undefined;
  app.get('/', (c) => {
    endpoints ??= [...new Set(app.routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*')).map((r) => r.path))];
    return c.json({ name: 'prodpulse', version: deps.version, endpoints });
  });
  // a wrong method on an existing route: 405 with Allow (JSON like every other error); found here, where no route
  // matched, instead of in a middleware every request would pass through
  const allowedOn = allowedMethods(app, bounded);
  app.notFound((c) => {
    const allowed = allowedOn(c.req.path);
    if (allowed.length > 0 && !allowed.includes(c.req.method))
      return c.json({ error: `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allowed.join(', ')}` }, 405, { Allow: allowed.join(', ') });
    return jsonError(c, 404, `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  });
  app.onError((err, c) => {
    deps.logger.error({ err: { message: err.message, name: err.name } }, 'request failed');
    return jsonError(c, 500, 'internal error');
  });
  return app;
}
