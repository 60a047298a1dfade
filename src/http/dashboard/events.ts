/**
 * GET /events: Server-Sent Events for the dashboard. One hub renders each changed section once and writes the
 * same text to every client, so a client costs a socket write per change, not a render. Bounded: at most
 * `maxClients` streams (then 503 JSON), a client that stops reading is dropped once `maxPending` writes wait,
 * comment lines every `heartbeatMs` keep proxies from closing idle streams, and closeAll() ends every stream so
 * a shutdown does not wait for the browsers.
 */
import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { jsonError } from '../errors.ts';
import { chartData, renderFragment, type FragmentId } from './render.ts';
import type { AlertsView, DashboardViews, HostPoint, ViewChange } from './views.ts';

export interface EventHubOptions {
  views: DashboardViews;
  clock: Clock;
  logger: Logger;
  maxClients?: number;
  heartbeatMs?: number;
  /** unacknowledged writes after which a slow client is dropped */
  maxPending?: number;
}

export interface EventHub {
  /** the GET /events handler */
  handle(c: Context): Response | Promise<Response>;
  /** ends every stream now and refuses new ones (call before closing the HTTP server) */
  closeAll(): void;
  clients(): number;
}

interface Client {
  stream: SSEStreamingApi;
  pending: number;
  end: () => void;
}

const ON_SNAPSHOT: FragmentId[] = ['overview', 'host-stats', 'services', 'heartbeats'];
const ON_ALERTS: FragmentId[] = ['overview', 'active-alerts', 'history', 'silences'];

export function createEventHub(opts: EventHubOptions): EventHub {
  const { views, clock, logger } = opts;
  const maxClients = opts.maxClients ?? 200;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxPending = opts.maxPending ?? 32;
  const clients = new Set<Client>();
  /** the last text sent per fragment: a section is pushed only when it changed */
  const sent = new Map<FragmentId, string>();
  let closed = false;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const write = (client: Client, text: string) => {
    if (client.pending >= maxPending) {
      logger.warn('dashboard client not reading; stream closed');
      client.end();
      return;
    }
    client.pending++;
    void client.stream.write(text).finally(() => client.pending--);
  };
  const broadcast = (text: string) => {
    for (const c of clients) write(c, text);
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

  const hostPayload = (p: HostPoint) => ({ t: p.takenAt / 1000, cpu: p.cpu, memory: p.memory, load1: p.load1, swap: p.swap, filesystems: p.filesystems });

  const onChange = (change: ViewChange) => {
    if (clients.size === 0) return;
    try {
      let text = fragments(change === 'snapshot' ? ON_SNAPSHOT : ON_ALERTS, true);
      if (change === 'snapshot') {
        const latest = views.host().latest;
        if (latest) text += message('host', hostPayload(latest));
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
  };

  return {
    handle(c) {
      if (closed) return jsonError(c, 503, 'shutting down');
      if (clients.size >= maxClients) return jsonError(c, 503, `too many dashboard streams (at most ${maxClients}); retry later`);
      return streamSSE(c, async (stream) => {
        let end!: () => void;
        const ended = new Promise<void>((resolve) => (end = resolve));
        const client: Client = { stream, pending: 0, end };
        stream.onAbort(() => end());
        clients.add(client);
        start();
        try {
          // a (re)connecting page gets every section and the chart history, so a restart leaves nothing stale
          const host = views.host();
          write(client, `retry: 3000\n\n${fragments([...new Set([...ON_SNAPSHOT, ...ON_ALERTS])], false)}${message('host-history', chartData(host))}`);
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
