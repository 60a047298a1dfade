/**
 * Method check for every p99 in this directory: how wrk's latency percentiles respond to event-loop stalls. A bare
 * node:http server (18 kB body) blocks its loop for STALL ms once a second while `wrk -t1 -c4 -d5s --latency`
 * runs. Only ~4 requests are in flight during each stall, yet wrk (4.1, Debian) reports p99 ≈ the stall: its
 * histogram is corrected for coordinated omission, so a p99 reads as "the share of wall time the loop was
 * stalled", not "the share of requests that were slow".
 * Run: node bench/wrk-stall.ts [--stall-ms=200]
 */
import { createServer } from 'node:http';
import { freePort, runWrk, writeResult } from './lib.ts';

const stallMs = Number(process.argv.find((a) => a.startsWith('--stall-ms='))?.slice(11) ?? 200);
const body = Buffer.alloc(18_000, 'x');
const port = await freePort();
const server = createServer((_q, r) => r.end(body));
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
const timer = setInterval(() => {
  const until = Date.now() + stallMs;
  while (Date.now() < until);
}, 1000);
try {
  const w = await runWrk(['-t1', '-c4', '-d5s', '--latency', `http://127.0.0.1:${port}/`]);
  const result = { stallMs, stallsPerSecond: 1, connections: 4, wrk: { reqPerSec: w.reqPerSec, p50ms: w.p50ms, p99ms: w.p99ms, maxms: w.maxms } };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  writeResult('wrk-stall.json', { ...result, raw: w.raw });
} finally {
  clearInterval(timer);
  server.close();
}
