import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { ProbeResult, ServiceDefinition } from '../../probes/types.ts';
import { ServiceRegistryError, type ServiceRegistry } from '../../services/registry.ts';
import { serviceView } from '../../services/service-input.ts';
import type { ProbeHistoryRepo, StoredCheck, UptimeWindow } from '../../store/probe-history-repo.ts';
import { jsonError } from '../errors.ts';

export type ServiceStatus = 'HEALTHY' | 'DEGRADED' | 'DOWN' | 'UNKNOWN';

export interface ServicesRouteDeps {
  registry: ServiceRegistry;
  history: ProbeHistoryRepo;
  /** the status model's verdict (from the alerts firing on the service) */
  status: (id: string) => ServiceStatus;
  /** the last probe result, flushed or not */
  latest: (id: string) => ProbeResult | undefined;
  /** the bearer guard for writes */
  writeGuard: MiddlewareHandler;
  now: () => number;
}

export const MAX_BODY_BYTES = 64 * 1024;

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
/** ids and other user text in messages: bounded (JSON encoding escapes the rest) */
const quoted = (s: string) => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);

const STATUS_OF_ERROR = { invalid: 400, not_found: 404, exists: 409, read_only: 409, limit: 409 } as const;

function registryError(c: Context, err: unknown): Response {
  if (err instanceof ServiceRegistryError) return jsonError(c, STATUS_OF_ERROR[err.code], err.message, err.details);
  throw err;
}

async function readJson(c: Context): Promise<{ ok: true; body: unknown } | { ok: false; res: Response }> {
  try {
    return { ok: true, body: await c.req.json() };
  } catch {
    return { ok: false, res: jsonError(c, 400, 'request body must be a JSON object') };
  }
}

/** true/false when both an expected and a found version exist; null otherwise (a missing version is unknown) */
export function versionMatches(expected: string | null, found: string | null): boolean | null {
  return expected === null || found === null ? null : expected === found;
}

/** One summary per enabled service for GET /health (optionally one environment). */
export interface ServiceSummary {
  serviceId: string;
  name: string;
  environment: string;
  status: ServiceStatus;
  latencyMs: number | null;
  version: string | null;
  versionMatchesExpected: boolean | null;
  lastCheckedAt: string | null;
}

export function serviceSummaries(deps: Pick<ServicesRouteDeps, 'registry' | 'status' | 'latest'>, environment?: string): ServiceSummary[] {
  const out: ServiceSummary[] = [];
  for (const s of deps.registry.enabled()) {
    if (environment !== undefined && s.environment !== environment) continue;
    const last = deps.latest(s.id);
    out.push({
      serviceId: s.id,
      name: s.name,
      environment: s.environment,
      status: deps.status(s.id),
      latencyMs: last ? Math.round(last.latencyMs * 10) / 10 : null,
      version: last?.version ?? null,
      versionMatchesExpected: versionMatches(s.expectedVersion, last?.version ?? null),
      lastCheckedAt: iso(last?.timestamp),
    });
  }
  return out;
}

/** what GET /health adds (see healthRoutes' optional `services` dep) */
export function healthServicesField(deps: Pick<ServicesRouteDeps, 'registry' | 'status' | 'latest'>) {
  return (environment?: string) => serviceSummaries(deps, environment);
}

/** per check: DOWN when it failed, DEGRADED when slow or on the wrong version, else HEALTHY */
function checkView(s: ServiceDefinition, c: StoredCheck) {
  const matches = versionMatches(s.expectedVersion, c.version);
  const slow = s.degradedLatencyMs !== undefined && c.latencyMs > s.degradedLatencyMs;
  return {
    timestamp: iso(c.timestamp),
    status: !c.ok ? 'DOWN' : slow || matches === false ? 'DEGRADED' : 'HEALTHY',
    statusCode: c.statusCode,
    latencyMs: Math.round(c.latencyMs * 10) / 10,
    version: c.version,
    versionMatchesExpected: matches,
    reason: c.reason,
    errorMessage: c.errorMessage,
  };
}

const uptimeView = (w: UptimeWindow) => ({
  percent: w.ratio === null ? null : Math.round(w.ratio * 100_000) / 1000,
  checks: w.checks,
  failures: w.failures,
});

/** GET /health/:id?limit= (exported for the OpenAPI description) */
export const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20).describe('how many recent checks, newest first') });

/**
 * GET /services, GET /services/:id, POST /services, PUT|PATCH|DELETE /services/:id, POST|PATCH
 * /services/:id/enable|disable (writes behind the bearer guard, bodies ≤ 64 KB), and GET /health/:id.
 */
export function servicesRoutes(app: Hono, deps: ServicesRouteDeps): void {
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => jsonError(c, 413, `request body too large (at most ${MAX_BODY_BYTES / 1024} KB)`) });
  const view = (s: ServiceDefinition) => {
    const e = deps.registry.entry(s.id);
    return {
      ...serviceView(s),
      status: deps.status(s.id),
      createdAt: iso(e?.createdAt),
      updatedAt: iso(e?.updatedAt),
    };
  };

  app.get('/services', (c) => {
    const env = c.req.query('environment');
    const source = c.req.query('source');
    const services = deps.registry
      .list()
      .filter((s) => (env === undefined || s.environment === env) && (source === undefined || s.source === source))
      .map(view);
    return c.json({ services, total: services.length, maxServices: deps.registry.maxServices });
  });

  app.get('/services/:id', (c) => {
    const s = deps.registry.get(c.req.param('id'));
    return s ? c.json(view(s)) : jsonError(c, 404, `no service with id ${quoted(c.req.param('id'))}`);
  });

  app.post('/services', deps.writeGuard, limit, async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.res;
    try {
      const s = deps.registry.create(body.body);
      c.header('Location', `/services/${encodeURIComponent(s.id)}`);
      return c.json(view(s), 201);
    } catch (err) {
      return registryError(c, err);
    }
  });

  app.put('/services/:id', deps.writeGuard, limit, async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.res;
    try {
      const { service, created } = deps.registry.put(c.req.param('id'), body.body);
      return c.json(view(service), created ? 201 : 200);
    } catch (err) {
      return registryError(c, err);
    }
  });

  app.patch('/services/:id', deps.writeGuard, limit, async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.res;
    try {
      return c.json(view(deps.registry.patch(c.req.param('id'), body.body)));
    } catch (err) {
      return registryError(c, err);
    }
  });

  app.delete('/services/:id', deps.writeGuard, (c) => {
    try {
      const removed = deps.registry.remove(c.req.param('id'));
      return c.json({ deleted: serviceView(removed) });
    } catch (err) {
      return registryError(c, err);
    }
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    app.on(['POST', 'PATCH'], `/services/:id/${action}`, deps.writeGuard, (c) => {
      try {
        return c.json(view(deps.registry.setEnabled(c.req.param('id'), enabled)));
      } catch (err) {
        return registryError(c, err);
      }
    });
  }

  app.get('/health/:id', (c) => {
    const id = c.req.param('id');
    const q = limitQuery.safeParse({ limit: c.req.query('limit') });
    if (!q.success) return jsonError(c, 400, 'invalid query parameter limit: an integer from 1 to 100', [{ field: 'limit', message: q.error.issues[0]?.message ?? 'invalid' }]);
    const s = deps.registry.get(id);
    if (!s) return jsonError(c, 404, `no service with id ${quoted(id)}`);
    const now = deps.now();
    const last = deps.latest(id);
    const uptime = deps.history.uptime(id, now);
    const latency = deps.history.latencyPercentiles(id, now);
    return c.json({
      service: view(s),
      status: deps.status(id),
      lastCheckedAt: iso(last?.timestamp),
      checks: deps.history.recentChecks(id, q.data.limit).map((ch) => checkView(s, ch)),
      uptime: { '24h': uptimeView(uptime['24h']), '7d': uptimeView(uptime['7d']), '30d': uptimeView(uptime['30d']) },
      latency: {
        window: '24h',
        p50Ms: latency.p50 === null ? null : Math.round(latency.p50 * 10) / 10,
        p95Ms: latency.p95 === null ? null : Math.round(latency.p95 * 10) / 10,
        samples: latency.samples,
      },
      events: deps.history.events(id, 10).map((e) => ({ timestamp: iso(e.timestamp), kind: e.kind, from: e.from, to: e.to, detail: e.detail })),
    });
  });
}
