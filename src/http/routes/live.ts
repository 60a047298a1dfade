import type { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../lib/clock.ts';
import type { SnapshotStore } from '../../snapshot/store.ts';
import { jsonError } from '../errors.ts';

export const liveQuery = z.object({ history: z.coerce.number().int().min(0).max(100_000).optional() });

/** GET /metrics/live: the latest sample as JSON for people and scripts; never samples. */
export function liveRoute(app: Hono, deps: { store: SnapshotStore; clock: Clock; intervalMs: () => number; status?: () => unknown }): void {
  app.get('/metrics/live', (c) => {
    const q = liveQuery.safeParse(c.req.query());
    if (!q.success) return jsonError(c, 400, 'invalid query', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const s = deps.store.latest;
    if (!s) return jsonError(c, 503, 'no sample taken yet; retry after the first sampling interval');
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
    return c.json({
      takenAt: new Date(s.takenAt).toISOString(),
      ageSeconds: round((deps.clock.now() - s.takenAt) / 1000),
      intervalSeconds: deps.intervalMs() / 1000,
      sampleDurationMs: round(s.durationMs),
      collectors,
      host,
      ...byKind,
      sources,
      ...(deps.status ? { status: deps.status() } : {}),
      ...(q.data.history !== undefined ? { history: deps.store.history(q.data.history) } : {}),
    });
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
