/**
 * GET /events: Server-Sent Events for the dashboard. One hub renders each changed section once and writes the
 * same text to every client, so a client costs a socket write per change, not a render. Bounded: at most
 * `maxClients` streams (then 503 JSON), a client that stops reading is dropped once `maxPending` writes wait,
 * comment lines every `heartbeatMs` keep proxies from closing idle streams, and closeAll() ends every stream so
 * a shutdown does not wait for the browsers.
 */
import { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { jsonError } from '../errors.ts';
import { chartData, hostText, renderFragment, type FragmentId } from './render.ts';
import type { AlertsView, DashboardViews, HostView, ViewChange } from './views.ts';

export interface EventHubOptions {
  views: DashboardViews;
  clock: Clock;
  logger: Logger;
  maxClients?: number;
  heartbeatMs?: number;
  /** unacknowledged writes (web-stream clients) after which a slow client is dropped */
  maxPending?: number;
  /** bytes buffered for a socket (node clients) after which a slow client is dropped; default 1 MiB */
  maxBufferedBytes?: number;
}

export interface EventHub {
  /** the GET /events handler */
  handle(c: Context): Response | Promise<Response>;
  /** ends every stream now and refuses new ones (call before closing the HTTP server) */
  closeAll(): void;
  clients(): number;
}

/** One open stream: written straight to Node's response when served by @hono/node-server, else a web stream. */
interface Client {
  /** false when the client is too far behind (then it is ended) */
  write(text: string): boolean;
  end(): void;
}

/** socket writes between two turns of the event loop when a change goes out to every client */
const WRITES_PER_TURN = 20;
/** bytes waiting in a client's socket buffer past which it counts as not reading */
const MAX_BUFFERED = 1 << 20;

const ON_SNAPSHOT: FragmentId[] = ['overview', 'services', 'heartbeats'];
/** host numbers travel in every `host` event; the whole host section (filesystems, failing collectors) this often */
const HOST_SECTION_MS = 10_000;
const ON_ALERTS: FragmentId[] = ['overview', 'active-alerts', 'history', 'silences'];

export function createEventHub(opts: EventHubOptions): EventHub {
  const { views, clock, logger } = opts;
  const maxClients = opts.maxClients ?? 200;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxPending = opts.maxPending ?? 32;
  const maxBuffered = opts.maxBufferedBytes ?? MAX_BUFFERED;
  const clients = new Set<Client>();
  /** the last text sent per fragment: a section is pushed only when it changed */
  const sent = new Map<FragmentId, string>();
  let closed = false;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const write = (client: Client, text: string) => {
    if (!client.write(text)) {
      logger.warn('dashboard client not reading; stream closed');
      client.end();
    }
  };

  /** a client on Node's ServerResponse: one socket write per message, no web-stream machinery per client */
  const nodeClient = (out: ServerResponse, onEnd: () => void): Client => {
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      onEnd();
      out.end();
    };
    out.once('close', end);
    return {
      write(text) {
        if (ended) return true;
        if (out.writableLength > maxBuffered) return false;
        out.write(text);
        return true;
      },
      end,
    };
  };

  const webClient = (stream: SSEStreamingApi, onEnd: () => void): Client => {
    let pending = 0;
    let ended = false;
    return {
      write(text) {
        if (ended) return true;
        if (pending >= maxPending) return false;
        pending++;
        void stream.write(text).finally(() => pending--);
        return true;
      },
      end() {
        if (ended) return;
        ended = true;
        onEnd();
      },
    };
  };

  /** what a connecting client gets, kept until the next change: a hundred pages opening at once cost one render */
  let greeting: string | undefined;
  const greet = (client: Client) => {
    // a (re)connecting page gets every section and the chart history, so a restart leaves nothing stale
    greeting ??= `retry: 3000\n\n${fragments([...new Set([...ON_SNAPSHOT, ...ON_ALERTS, 'host-stats' as const])], false)}${message('host-history', chartData(views.host()))}`;
    write(client, greeting);
  };
  /**
   * Writes `text` to every client, WRITES_PER_TURN at a time with a turn of the event loop between, so a /metrics
   * request never waits behind a hundred socket writes. Messages keep their order per client.
   */
  let queue: { text: string; targets: Client[] }[] = [];
  let draining = false;
  const drain = () => {
    let budget = WRITES_PER_TURN;
    while (queue.length > 0 && budget > 0) {
      const head = queue[0]!;
      while (head.targets.length > 0 && budget-- > 0) {
        const c = head.targets.shift()!;
        if (clients.has(c)) write(c, head.text);
      }
      if (head.targets.length === 0) queue.shift();
    }
    if (queue.length > 0) setImmediate(drain);
    else draining = false;
  };
  const broadcast = (text: string) => {
    if (clients.size === 0) return;
    queue.push({ text, targets: [...clients] });
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  };
  const message = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

  const fragments = (ids: FragmentId[], onlyChanged: boolean): string => {
    const now = clock.now();
    let alerts: AlertsView | undefined;
    if (ids.includes('history') || ids.includes('active-alerts')) alerts = views.alerts();
    let out = '';
    for (const id of ids) {
      const text = renderFragment(id, views, now, alerts).toString();
      if (onlyChanged) {
        // broadcast mode: skip what every client already has; a connect (below) sends all without touching this
        if (sent.get(id) === text) continue;
        sent.set(id, text);
      }
      out += message('fragment', { id, html: text });
    }
    return out;
  };

  const hostPayload = (host: HostView) => {
    const p = host.latest!;
    return { t: p.takenAt / 1000, cpu: p.cpu, memory: p.memory, load1: p.load1, swap: p.swap, filesystems: p.filesystems, text: hostText(host) };
  };
  let hostSectionAt = -Infinity;

  const onChange = (change: ViewChange) => {
    greeting = undefined;
    if (clients.size === 0) return;
    try {
      const ids = change === 'snapshot' ? [...ON_SNAPSHOT] : [...ON_ALERTS, 'host-stats' as const];
      const now = clock.now();
      if (change === 'snapshot' && now - hostSectionAt >= HOST_SECTION_MS) ids.push('host-stats');
      if (ids.includes('host-stats')) hostSectionAt = now;
      let text = fragments(ids, true);
      if (change === 'snapshot') {
        const host = views.host();
        if (host.latest) text += message('host', hostPayload(host));
      }
      if (text) broadcast(text);
    } catch (err) {
      logger.error({ err: { message: (err as Error).message } }, 'dashboard update failed');
    }
  };
  let unsubscribe: (() => void) | undefined;

  const start = () => {
    unsubscribe ??= views.subscribe(onChange);
    ticker ??= setInterval(() => broadcast(': keep-alive\n\n'), heartbeatMs);
    ticker.unref?.();
  };
  const stopIfIdle = () => {
    if (clients.size > 0) return;
    unsubscribe?.();
    unsubscribe = undefined;
    if (ticker) clearInterval(ticker);
    ticker = undefined;
    sent.clear();
    greeting = undefined;
    queue = [];
  };

  return {
    handle(c) {
      if (closed) return jsonError(c, 503, 'shutting down');
      if (clients.size >= maxClients) return jsonError(c, 503, `too many dashboard streams (at most ${maxClients}); retry later`);
      const out = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
      if (out instanceof ServerResponse) {
        out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        const client = nodeClient(out, () => {
          clients.delete(client);
          stopIfIdle();
        });
        clients.add(client);
        start();
        greet(client);
        return RESPONSE_ALREADY_SENT;
      }
      // not on @hono/node-server (app.request in tests): the same stream through hono/streaming
      return streamSSE(c, async (stream) => {
        let done!: () => void;
        const ended = new Promise<void>((resolve) => (done = resolve));
        const client = webClient(stream, done);
        stream.onAbort(() => client.end());
        clients.add(client);
        start();
        try {
          greet(client);
          await ended;
        } finally {
          clients.delete(client);
          stopIfIdle();
        }
      });
    },
    closeAll() {
      closed = true;
      for (const c of [...clients]) c.end();
    },
    clients: () => clients.size,
  };
}
