/**
 * A probe target on 127.0.0.1 that answers as told, request by request: JSON with a version, any status, a
 * version header, a redirect, a hang past the timeout, a closed connection, or a body larger than the prober
 * reads. Set `target.mode` before a check (or queue several with `target.queue(...)`); `close()` ends every
 * connection, hung ones too.
 */
import { DEFAULT_SERVICE_DEFAULTS } from '../../src/services/service-input.ts';
import http from 'node:http';
import { after, before } from 'node:test';
import { AgentPool } from '../../src/probes/probe.ts';
import type { AddressInfo, Socket } from 'node:net';
import type { ServiceDefinition } from '../../src/probes/types.ts';

export type TargetMode =
  | { kind: 'json'; status?: number; version?: unknown; delayMs?: number }
  | { kind: 'text'; status?: number; body?: string; headers?: Record<string, string> }
  | { kind: 'redirect'; status?: number; location: string }
  | { kind: 'hang' }
  | { kind: 'close' }
  /** closes a kept-alive connection that already served a request (a server dropping idle connections), else OK */
  | { kind: 'close-reused' }
  | { kind: 'big'; bytes: number; version?: string };

export const OK: TargetMode = { kind: 'json', version: '2.1.0' };

export interface ProbeTarget {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** the default answer when the queue is empty */
  mode: TargetMode;
  queue(...modes: TargetMode[]): void;
  /** request headers seen, in order */
  readonly seen: { path: string; method: string; headers: http.IncomingHttpHeaders }[];
  /** connections opened so far (keep-alive reuse keeps it low) */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startProbeTarget(initial: TargetMode = OK): Promise<ProbeTarget> {
  const sockets = new Set<Socket>();
  const pending: TargetMode[] = [];
  const seen: ProbeTarget['seen'] = [];
  const served = new WeakSet<Socket>();
  let connections = 0;
  const target: ProbeTarget = {
    origin: '',
    mode: initial,
    queue: (...modes) => void pending.push(...modes),
    seen,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', method: req.method ?? '', headers: req.headers });
    const mode = pending.shift() ?? target.mode;
    switch (mode.kind) {
      case 'json': {
        const send = () => {
          res.writeHead(mode.status ?? 200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(mode.version === undefined ? { status: 'ok' } : { status: 'ok', version: mode.version }));
        };
        if (mode.delayMs) setTimeout(send, mode.delayMs);
        else send();
        return;
      }
      case 'text':
        res.writeHead(mode.status ?? 200, { 'content-type': 'text/plain', ...mode.headers });
        res.end(mode.body ?? 'ok');
        return;
      case 'redirect':
        res.writeHead(mode.status ?? 301, { location: mode.location });
        res.end();
        return;
      case 'hang':
        return; // never answers; close() destroys the socket
      case 'close':
        req.socket.destroy();
        return;
      case 'close-reused':
        if (served.has(req.socket)) return void req.socket.destroy();
        served.add(req.socket);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"version":"2.1.0"}');
        return;
      case 'big': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const head = `{"version":${JSON.stringify(mode.version ?? '9.9.9')},"pad":"`;
        res.write(head);
        const chunk = 'x'.repeat(16 * 1024);
        let left = mode.bytes;
        const pump = () => {
          while (left > 0) {
            left -= chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('"}');
        };
        res.on('error', () => {});
        pump();
        return;
      }
    }
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return target;
}

/** A ServiceDefinition with the shipped defaults (a 2 s timeout, to keep tests short), for tests. */
export function testService(url: string, overrides: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return {
    ...DEFAULT_SERVICE_DEFAULTS,
    id: 'payments',
    name: 'payments',
    url,
    expectedVersion: null,
    enabled: true,
    timeoutMs: 2_000,
    version: undefined,
    source: 'config',
    ...overrides,
  };
}

/**
 * One probe target and one keep-alive AgentPool for a test file: started in `before`, closed in `after`.
 *   const kit = probeTargetForFile();   … kit.target.origin, kit.agents …
 */
export function probeTargetForFile(): { readonly target: ProbeTarget; readonly agents: AgentPool } {
  let target: ProbeTarget | undefined;
  const agents = new AgentPool();
  before(async () => {
    target = await startProbeTarget();
  });
  after(async () => {
    agents.close();
    await target?.close();
  });
  return {
    get target() {
      if (!target) throw new Error('the probe target starts in before()');
      return target;
    },
    agents,
  };
}
