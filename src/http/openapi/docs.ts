/** GET /openapi.json (the generated document) and GET /docs (Swagger UI, assets from /assets). */
import { z } from 'zod';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { securityHeaders } from '../dashboard/dashboard.ts';
import { buildOpenApi, type ApiOperation, type OpenApiOptions } from './registry.ts';

export const docsApi: ApiOperation[] = [
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    tag: 'docs',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'the document', schema: z.object({ openapi: z.string() }).loose() } },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    tag: 'docs',
    summary: 'Interactive API documentation (Swagger UI, served from this process)',
    responses: { 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
  },
];

/** Mounts both routes. The document is built once, on first request, from `groups` plus docsApi. */
export function docsRoutes(app: Hono, opts: OpenApiOptions): void {
  let doc: string | undefined;
  app.use('/docs', securityHeaders);
  app.get('/openapi.json', (c) => {
    doc ??= JSON.stringify(buildOpenApi({ ...opts, groups: [...opts.groups, docsApi] }));
    return c.body(doc, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
  });
  app.get('/docs', (c) =>
    c.html(
      html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>prodpulse API</title><link rel="stylesheet" href="/assets/swagger-ui.css"><link rel="icon" href="data:,"></head>
<body><div id="swagger-ui"></div><script src="/assets/swagger-ui-bundle.js"></script><script src="/assets/docs.js"></script></body></html>`,
    ),
  );
}
