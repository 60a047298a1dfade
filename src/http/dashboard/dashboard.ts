/**
 * The dashboard's routes: GET / (HTML; JSON clients still get the endpoint index), GET /ui/services/:id,
 * GET /ui/services/:id/data, GET /ui/fragments/:id, GET /events (SSE) and GET /assets/:name.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { acceptsGzip } from '../../metrics/exposition.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { jsonError } from '../errors.ts';
import { loadAsset } from './assets.ts';
import { createEventHub, type EventHub } from './events.ts';
import { dashboardPage, FRAGMENTS, renderFragment, serviceChartData, serviceEvents, servicePage, serviceSummary, type FragmentId } from './render.ts';
import type { DashboardViews, DemoPanel } from './views.ts';

const gzipAsync = promisify(gzip);

export interface DashboardDeps {
  views: DashboardViews;
  clock: Clock;
  logger: Logger;
  version: string;
  /** SSE streams at once (default 200) */
  maxClients?: number;
  /** SSE comment interval (default 15 s) */
  heartbeatMs?: number;
  /** demo mode only: the page shows the Demo panel */
  demo?: DemoPanel;
}

export interface Dashboard {
  /** mounts the routes; pass as one of createHttpApp's extraRoutes */
  routes(app: Hono): void;
  /** ends every SSE stream and refuses new ones; call at the start of stop, before closing the server */
  closeAll(): void;
  readonly events: EventHub;
}

/** Strict: scripts and styles only from this origin, nothing inline, no frames, no outside connections. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('Content-Security-Policy', CSP);
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
  c.res.headers.set('Referrer-Policy', 'no-referrer');
  c.res.headers.set('X-Frame-Options', 'DENY');
};

async function sendHtml(c: Context, text: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', vary: 'Accept, Accept-Encoding' };
  if (acceptsGzip(c.req.header('accept-encoding')) && text.length > 1024) {
    headers['content-encoding'] = 'gzip';
    // level 1: a 360 KB page (500 services) compresses to ~15 KB in half the time of the default level (on the thread pool)
    return c.body((await gzipAsync(text, { level: 1 })) as Uint8Array<ArrayBuffer>, 200, headers);
  }
  return c.body(text, 200, headers);
}

/** a request that asks for JSON and not HTML (curl -H 'Accept: application/json', scripts) */
function wantsJson(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  const { views, clock } = deps;
  const events = createEventHub({
    views,
    clock,
    logger: deps.logger,
    ...(deps.maxClients !== undefined ? { maxClients: deps.maxClients } : {}),
    ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}),
  });

  const routes = (app: Hono) => {
    for (const path of ['/', '/ui/*', '/assets/*']) app.use(path, securityHeaders);

    app.get('/', async (c, next) => {
      if (wantsJson(c)) return next();
      const env = c.req.query('env') || undefined;
      return sendHtml(c, dashboardPage(views, { version: deps.version, now: clock.now(), env, ...(deps.demo ? { demo: deps.demo } : {}) }).toString());
    });

    app.get('/ui/services/:id', async (c) => {
      const v = views.service(c.req.param('id'));
      if (!v) return jsonError(c, 404, `no service with id ${c.req.param('id')}`);
      return sendHtml(c, servicePage(v, { version: deps.version, now: clock.now() }).toString());
    });

    app.get('/ui/services/:id/data', (c) => {
      const v = views.service(c.req.param('id'));
      if (!v) return jsonError(c, 404, `no service with id ${c.req.param('id')}`);
      return c.json({ status: v.status, summary: serviceSummary(v).toString(), events: serviceEvents(v).toString(), chart: serviceChartData(v) });
    });

    app.get('/ui/fragments/:id', (c) => {
      const id = c.req.param('id');
      if (!(FRAGMENTS as readonly string[]).includes(id)) return jsonError(c, 404, `no fragment ${id} (one of ${FRAGMENTS.join(', ')})`);
      return c.json({ id, html: renderFragment(id as FragmentId, views, clock.now()).toString() });
    });

    app.get('/events', (c) => events.handle(c));

    app.get('/assets/:name', async (c) => {
      const asset = loadAsset(c.req.param('name'));
      if (!asset) return jsonError(c, 404, `no asset ${c.req.param('name')}`);
      const a = await asset;
      const gz = acceptsGzip(c.req.header('accept-encoding'));
      const headers: Record<string, string> = { 'content-type': a.type, 'cache-control': 'public, max-age=3600', vary: 'Accept-Encoding' };
      if (gz) headers['content-encoding'] = 'gzip';
      return c.body((gz ? a.gzipped : a.body) as Uint8Array<ArrayBuffer>, 200, headers);
    });
  };

  return { routes, closeAll: () => events.closeAll(), events };
}
