import type { Context, Hono } from 'hono';
import { acceptsGzip, type ExpositionCache, type Rendered } from '../../metrics/exposition.ts';
import { jsonError } from '../errors.ts';

const VARY = 'Accept, Accept-Encoding';

/**
 * GET /metrics: the bytes rendered for the last sample, in the negotiated format, gzipped when accepted. When those
 * bytes are ready (every scrape but the first of a sample, and the first's gzip once made) the handler answers
 * synchronously, like a static route: no promise, no microtask per scrape.
 */
export function metricsRoute(app: Hono, exposition: ExpositionCache, ready: () => boolean): void {
  app.get('/metrics', (c) => {
    if (!ready()) return jsonError(c, 503, 'no sample taken yet; retry after the first sampling interval');
    const accept = c.req.header('accept');
    const gzip = acceptsGzip(c.req.header('accept-encoding'));
    const r = exposition.peek(accept);
    if (r) {
      if (!gzip) return send(c, r, r.body, false);
      const gz = r.gzippedNow();
      if (gz) return send(c, r, gz, true);
    }
    return (async () => {
      const fresh = r ?? (await exposition.current(accept));
      return send(c, fresh, gzip ? await fresh.gzipped() : fresh.body, gzip);
    })();
  });
}

function send(c: Context, r: Rendered, body: Buffer, gzip: boolean): Response {
  const headers: Record<string, string> = gzip ? { 'content-type': r.contentType, vary: VARY, 'content-encoding': 'gzip' } : { 'content-type': r.contentType, vary: VARY };
  return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
}
