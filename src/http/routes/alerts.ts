import type { Hono } from 'hono';
import { z } from 'zod';
import type { AlertQueries } from '../../notify/queries.ts';
import type { ActiveAlert } from '../../rules/engine.ts';
import { jsonError } from '../errors.ts';

// unknown query parameters are ignored, as on every endpoint (Prometheus may add its own to a scrape); known ones are checked
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** GET /alerts (active + paginated history) and GET /alerts/:fingerprint (the link notifications carry). */
export function alertsRoutes(app: Hono, alerting: AlertQueries): void {
  const records = (fp: string) =>
    alerting.records(fp).map((r) => ({ ...r, notifiedAt: iso(r.notifiedAt), deliveredAt: iso(r.deliveredAt) }));
  const view = (a: ActiveAlert) => ({
    fingerprint: a.fingerprint,
    alert: a.alert,
    state: a.state,
    severity: a.severity,
    labels: a.labels,
    annotations: a.annotations,
    value: a.value,
    threshold: a.threshold,
    activeSince: iso(a.activeSince),
    firingSince: iso(a.firingSince),
    silencedBy: alerting.silences.mutedBy(a.labels)?.id ?? null,
    notifications: records(a.fingerprint),
  });

  app.get('/alerts', (c) => {
    const q = pageQuery.safeParse(c.req.query());
    if (!q.success) return jsonError(c, 400, 'invalid query', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const page = alerting.history(q.data.limit, q.data.offset);
    return c.json({
      active: alerting.active().map(view),
      history: {
        total: page.total,
        limit: page.limit,
        offset: page.offset,
        items: page.items.map((h) => ({ ...h, startsAt: iso(h.startsAt), endsAt: iso(h.endsAt), notifications: records(h.fingerprint) })),
      },
      channels: alerting.channels(),
      queueDepth: alerting.queueDepth(),
    });
  });

  app.get('/alerts/:fingerprint', (c) => {
    const fp = c.req.param('fingerprint');
    const current = alerting.active().find((a) => a.fingerprint === fp);
    const episodes = alerting.historyOf(fp);
    if (!current && episodes.length === 0) return jsonError(c, 404, `no alert with fingerprint ${fp}`);
    return c.json({
      fingerprint: fp,
      active: current ? view(current) : null,
      episodes: episodes.map((h) => ({ ...h, startsAt: iso(h.startsAt), endsAt: iso(h.endsAt) })),
      notifications: records(fp),
    });
  });
}
