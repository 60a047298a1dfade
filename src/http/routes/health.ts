import type { Hono } from 'hono';
import type { Clock } from '../../lib/clock.ts';
import type { SnapshotStore } from '../../snapshot/store.ts';

/** GET /health: 200 while the process lives. GET /ready: 503 until the first sample, then 200. */
export function healthRoutes(app: Hono, deps: { store: SnapshotStore; clock: Clock; startedAt: number; version: string }): void {
  app.get('/health', (c) =>
    c.json({ status: 'ok', version: deps.version, uptimeSeconds: Math.round((deps.clock.now() - deps.startedAt) / 1000) }),
  );
  app.get('/ready', (c) => {
    const s = deps.store.latest;
    if (!s) return c.json({ status: 'not ready', reason: 'no sample taken yet' }, 503);
    return c.json({ status: 'ready', lastSampleAt: new Date(s.takenAt).toISOString() });
  });
}
