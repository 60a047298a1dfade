/**
 * Child process of bench/probes.ts: N HTTP servers on 127.0.0.1 (one port each, so each is its own origin with
 * its own keep-alive connection) answering `{"status":"ok","version":"2.1.0"}`. Prints the ports as one JSON line,
 * then serves until SIGTERM; prints the request and connection counts on stderr when it stops.
 * Run: node bench/probe-targets.ts 500
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const n = Number(process.argv[2] ?? 500);
let requests = 0;
let connections = 0;
const body = JSON.stringify({ status: 'ok', version: '2.1.0' });
const servers: http.Server[] = [];
for (let i = 0; i < n; i++) {
  const s = http.createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  s.keepAliveTimeout = 65_000; // longer than the 5 s probe interval, like most production servers behind an LB
  s.on('connection', () => connections++);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push(s);
}
process.stdout.write(`${JSON.stringify(servers.map((s) => (s.address() as AddressInfo).port))}\n`);
process.on('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify({ requests, connections })}\n`);
  for (const s of servers) s.closeAllConnections();
  process.exit(0);
});
