import type { Hono } from 'hono';
import type { Clock } from '../../lib/clock.ts';
import type { SnapshotStore } from '../../snapshot/store.ts';

/**
 * GET /health: 200 while the process lives (`status` stays "ok" whatever the services do: Docker and Kubernetes
 * health checks use it); with `services`, one summary per enabled service, `?environment=` to filter.
 * GET /ready: 503 until the first sample, then 200.
 */
export function healthRoutes(
  app: Hono,
  deps: { store: SnapshotStore; clock: Clock; startedAt: number; version: string; services?: (environment?: string) => unknown[] },
): void {
  app.get('/health', (c) => {
    const body = { status: 'ok', version: deps.version, uptimeSeconds: Math.round((deps.clock.now() - deps.startedAt) / 1000) };
    return c.json(deps.services ? { ...body, services: deps.services(c.req.query('environment')) } : body);
  });
  app.get('/ready', (c) => {
    const s = deps.store.latest;
    if (!s) return c.json({ status: 'not ready', reason: 'no sample taken yet' }, 503);
    return c.json({ status: 'ready', lastSampleAt: new Date(s.takenAt).toISOString() });
  });
}
