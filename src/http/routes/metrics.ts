import type { Hono } from 'hono';
import { acceptsGzip, type ExpositionCache } from '../../metrics/exposition.ts';
import { jsonError } from '../errors.ts';

/** GET /metrics: the bytes rendered for the last sample, in the negotiated format, gzipped when accepted. */
export function metricsRoute(app: Hono, exposition: ExpositionCache, ready: () => boolean): void {
  app.get('/metrics', async (c) => {
    if (!ready()) return jsonError(c, 503, 'no sample taken yet; retry after the first sampling interval');
    const r = await exposition.current(c.req.header('accept'));
    const gzip = acceptsGzip(c.req.header('accept-encoding'));
    const body = gzip ? await r.gzipped() : r.body;
    const headers: Record<string, string> = { 'content-type': r.contentType, vary: 'Accept, Accept-Encoding' };
    if (gzip) headers['content-encoding'] = 'gzip';
    return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
  });
}
