/**
 * A dependency on loopback that reports its version as JSON `{"version": …}` (and X-Service-Version); the
 * sidecar probes it for real. Its fault decides the answer: DOWN → 503, VERSION → the next minor version,
 * SLOW → the answer after `slowMs`.
 */
import { createServer, type Server } from 'node:http';
import type { Fault } from './faults.ts';

export interface Dependency {
  name: string;
  /** the version it reports while healthy (the probe's expected_version) */
  version: string;
  url: string;
  close(): Promise<void>;
}

/** 1.4.2 → 1.5.0 */
export function nextVersion(v: string): string {
  const [maj = '0', min = '0'] = v.split('.');
  return `${maj}.${Number(min) + 1}.0`;
}

export async function startDependency(opts: { name: string; version: string; fault: () => Fault; slowMs: number }): Promise<Dependency> {
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    req.resume();
    const fault = opts.fault();
    if (fault === 'DOWN') {
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: `${opts.name} is down (demo fault)` }));
    }
    const version = fault === 'VERSION' ? nextVersion(opts.version) : opts.version;
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-service-version': version });
      res.end(JSON.stringify({ name: opts.name, version, status: 'ok' }));
    };
    if (fault !== 'SLOW') return answer();
    const t = setTimeout(() => {
      pending.delete(t);
      answer();
    }, opts.slowMs);
    pending.add(t);
  });
  const url = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    });
  });
  return {
    name: opts.name,
    version: opts.version,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of pending) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
