import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { SilenceError, silenceInputSchema, type Silence, type SilenceService } from '../../notify/silences.ts';
import { jsonError } from '../errors.ts';

const view = (s: Silence) => ({ ...s, startsAt: new Date(s.startsAt).toISOString(), endsAt: new Date(s.endsAt).toISOString(), createdAt: new Date(s.createdAt).toISOString() });

/** paging of GET /silences; unknown query parameters are ignored (the rule for every endpoint) */
export const silencesPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** GET /silences (+/:id), POST /silences, DELETE /silences/:id. Writes need the bearer token. */
export function silenceRoutes(app: Hono, silences: SilenceService, writeGuard: MiddlewareHandler): void {
  app.get('/silences', (c) => {
    const q = silencesPageQuery.safeParse(c.req.query());
    if (!q.success) return jsonError(c, 400, 'invalid query', q.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })));
    const page = silences.page(q.data.limit, q.data.offset);
    return c.json({ silences: page.items.map(view), total: page.total, limit: q.data.limit, offset: q.data.offset });
  });
  app.get('/silences/:id', (c) => {
    const s = silences.get(c.req.param('id'));
    return s ? c.json(view(s)) : jsonError(c, 404, `no silence with id ${c.req.param('id')}`);
  });
  app.post('/silences', writeGuard, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return jsonError(c, 400, 'request body must be JSON');
    }
    const parsed = silenceInputSchema.safeParse(body);
    if (!parsed.success) {
      return jsonError(c, 400, 'invalid silence', parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })));
    }
    try {
      return c.json(view(silences.create(parsed.data)), 201);
    } catch (err) {
      if (err instanceof SilenceError) return jsonError(c, err.code === 'limit' ? 409 : 400, err.message);
      throw err;
    }
  });
  app.delete('/silences/:id', writeGuard, (c) => {
    try {
      return c.json(view(silences.expire(c.req.param('id'))));
    } catch (err) {
      if (err instanceof SilenceError) return jsonError(c, err.code === 'not_found' ? 404 : 409, err.message);
      throw err;
    }
  });
}
