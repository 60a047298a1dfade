import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface Listening {
  /** e.g. http://127.0.0.1:9470 */
  url: string;
  port: number;
  close(graceMs: number): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port: number;
  tls?: { cert_file: string; key_file: string };
}

/** Parses HOST:PORT (IPv6 as [::1]:9470); throws with a readable message. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`invalid listen address "${text}" (expected HOST:PORT, e.g. 0.0.0.0:9470)`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Starts the HTTP(S) server for the app; resolves once it listens. */
export function listen(app: Hono, opts: ListenOptions): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const tls = opts.tls ? { cert: readFileSync(opts.tls.cert_file), key: readFileSync(opts.tls.key_file) } : undefined;
    const server = serve(
      {
        fetch: app.fetch,
        hostname: opts.host,
        port: opts.port,
        ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}),
      },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `${tls ? 'https' : 'http'}://${host}:${info.port}`,
          port: info.port,
          close: (graceMs) => closeServer(server as Server, graceMs),
        });
      },
    ) as Server;
    server.keepAliveTimeout = 65_000;
    server.once('error', reject);
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
