/**
 * A bare Hono + @hono/node-server app serving a static string at /metrics: the ceiling the sidecar's /metrics can
 * reach on this machine. Run: node bench/bare-hono.ts PORT BYTES
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const port = Number(process.argv[2] ?? 9999);
const bytes = Number(process.argv[3] ?? 20_000);
const line = '# filler metric line for the bench to reach the sidecar body size\n';
const body = Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes), 'utf8');
const app = new Hono();
app.get('/metrics', (c) => c.body(body as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', vary: 'Accept, Accept-Encoding' }));
serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => process.stdout.write(`bare-hono listening on ${port}, body ${body.length} bytes\n`));
process.on('SIGTERM', () => process.exit(0));
