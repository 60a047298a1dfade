import type { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../lib/clock.ts';
import type { Snapshot } from '../../snapshot/snapshot.ts';
import type { SnapshotStore } from '../../snapshot/store.ts';
import { jsonError } from '../errors.ts';

export const liveQuery = z.object({ history: z.coerce.number().int().min(0).max(100_000).optional() });

/**
 * GET /metrics/live: the latest sample as JSON for people and scripts; never samples. The body (500 services: about
 * 300 kB) is serialized once per snapshot and status view and kept; each answer only puts its own `ageSeconds` in
 * front. `?history=N` answers are built per request.
 */
export function liveRoute(app: Hono, deps: { store: SnapshotStore; clock: Clock; intervalMs: () => number; status?: () => unknown }): void {
  let cached: { snapshot: Snapshot; status: unknown; intervalMs: number; takenAt: string; rest: string } | undefined;
  app.get('/metrics/live', (c) => {
    const q = liveQuery.safeParse(c.req.query());
    if (!q.success) return jsonError(c, 400, 'invalid query', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const s = deps.store.latest;
    if (!s) return jsonError(c, 503, 'no sample taken yet; retry after the first sampling interval');
    const status = deps.status?.();
    const intervalMs = deps.intervalMs();
    const ageSeconds = round((deps.clock.now() - s.takenAt) / 1000);
    if (q.data.history !== undefined) {
      const body = { takenAt: new Date(s.takenAt).toISOString(), ageSeconds, ...liveBody(s, intervalMs, status), history: deps.store.history(q.data.history) };
      return c.json(body);
    }
    if (!cached || cached.snapshot !== s || cached.status !== status || cached.intervalMs !== intervalMs) {
      // the object's text without its opening brace: `"intervalSeconds":…}`
      cached = { snapshot: s, status, intervalMs, takenAt: JSON.stringify(new Date(s.takenAt).toISOString()), rest: JSON.stringify(liveBody(s, intervalMs, status)).slice(1) };
    }
    return c.body(`{"takenAt":${cached.takenAt},"ageSeconds":${ageSeconds},${cached.rest}`, 200, { 'content-type': 'application/json' });
  });
}

/** Everything /metrics/live says about one snapshot after `takenAt` and `ageSeconds`, in the order it says it. */
function liveBody(s: Snapshot, intervalMs: number, status: unknown): Record<string, unknown> {
  // host sections keep today's shape (collectors + host); every other kind gets an object of its own
  const collectors: Record<string, { ok: boolean; durationMs: number; error?: string }> = {};
  const host: Record<string, unknown> = {};
  const byKind: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, { kind: string; ok: boolean; ageSeconds: number; durationMs: number; error?: string }> = {};
  for (const [name, section] of Object.entries(s.sections)) {
    const state = section.ok
      ? { ok: true, durationMs: round(section.durationMs) }
      : { ok: false, durationMs: round(section.durationMs), error: section.error };
    sources[name] = { kind: section.kind, ageSeconds: round((s.takenAt - section.settledAt) / 1000), ...state };
    if (section.kind === 'host') {
      collectors[name] = state;
      if (section.ok) host[name] = section.summary;
    } else if (section.ok) (byKind[section.kind] ??= {})[name] = section.summary;
  }
  return {
    intervalSeconds: intervalMs / 1000,
    sampleDurationMs: round(s.durationMs),
    collectors,
    host,
    ...byKind,
    sources,
    ...(status !== undefined ? { status } : {}),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
