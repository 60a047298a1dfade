/**
 * Child process of bench/probes.ts and bench/probes-sidecar.ts: N HTTP servers on 127.0.0.1 (one port each, so
 * each is its own origin with its own keep-alive connection) answering `{"status":"ok","version":"2.1.0"}`. Prints
 * the ports as one JSON line, then serves until SIGTERM; prints the request and connection counts on stderr when it
 * stops. Each server keeps the wall-clock times (Date.now) of its last 4 096 requests; a line `report FROM TO MINGAP`
 * on stdin answers one JSON line on stdout: per server the requests in [FROM, TO] and every gap of at least MINGAP ms
 * between FROM, those requests and TO (so a missed probe cycle shows as a long gap). Also `{"cpuTicks": utime+stime}`.
 * Run: node bench/probe-targets.ts 500
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

const n = Number(process.argv[2] ?? 500);
const KEEP = 4096;
let requests = 0;
let connections = 0;
const body = JSON.stringify({ status: 'ok', version: '2.1.0' });
const servers: http.Server[] = [];
/** per server: ring of request times (ms since epoch) */
const times: number[][] = [];
for (let i = 0; i < n; i++) {
  const ring: number[] = [];
  times.push(ring);
  const s = http.createServer((_req, res) => {
    requests++;
    ring.push(Date.now());
    if (ring.length > KEEP) ring.splice(0, ring.length - KEEP);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  s.keepAliveTimeout = 65_000; // longer than the 5 s probe interval, like most production servers behind an LB
  s.on('connection', () => connections++);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push(s);
}
process.stdout.write(`${JSON.stringify(servers.map((s) => (s.address() as AddressInfo).port))}\n`);

function cpuTicks(): number {
  const rest = readFileSync('/proc/self/stat', 'utf8');
  const f = rest.slice(rest.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

// stdin is /dev/null for bench/probes.ts: the reader just ends
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, a, b, c] = line.trim().split(/\s+/);
  if (cmd !== 'report') return;
  const from = Number(a);
  const to = Number(b);
  const minGap = Number(c);
  const report = times.map((ring) => {
    const inside = ring.filter((t) => t >= from && t <= to);
    const edges = [from, ...inside, to];
    const gaps: number[] = [];
    let maxGap = 0;
    for (let k = 1; k < edges.length; k++) {
      const g = edges[k]! - edges[k - 1]!;
      if (g > maxGap) maxGap = g;
      if (g >= minGap) gaps.push(g);
    }
    return { count: inside.length, maxGap, gaps };
  });
  process.stdout.write(`${JSON.stringify({ report, cpuTicks: cpuTicks() })}\n`);
});

process.on('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify({ requests, connections })}\n`);
  for (const s of servers) s.closeAllConnections();
  process.exit(0);
});
