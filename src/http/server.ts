import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { parseListenAddress } from '../config/listen.ts';

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
export const parseListen = parseListenAddress;

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
    answerParserErrors(server);
    server.once('error', reject);
  });
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (malformed request line, headers over 16 kB,
 * a header timeout) get a JSON body like every other error instead of an empty one: 400, 431 or 408.
 */
export function answerParserErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const error =
      status === 431
        ? 'request headers too large'
        : status === 408
          ? 'request timed out before its headers were complete'
          : `malformed HTTP request (${code.replace(/^HPE_/, '').toLowerCase() || 'parse error'})`;
    const body = JSON.stringify({ error });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
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
