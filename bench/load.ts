/**
 * Issue 12 load script: CONCURRENCY (200) clients scraping /metrics back to back for SECONDS (60), then idle for
 * AFTER (60) seconds; reports errors, latency percentiles, and the sidecar's RSS during and after. The targets are
 * data (TARGETS below). With --heartbeats N, N heartbeat pings a second (JSON pushed metrics, spread over 100 jobs)
 * go in beside the scrapers, paced, on their own connections. Bounded: stops itself after SECONDS + AFTER +
 * start-up, stops the sidecar by PID.
 *   node bench/load.ts [--seconds 60] [--after 60] [--concurrency 200] [--heartbeats 5000] [--plain-node] [--node-arg=--max-old-space-size=128]
 */
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfig, mb, NPM_START, pct, rssBytes, sleep, startSidecarProc, writeResult } from './lib.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const seconds = Number(arg('seconds', '60'));
const after = Number(arg('after', '60'));
const concurrency = Number(arg('concurrency', '200'));

/** what the clients do: each client picks the target of its index (weights = number of clients) */
export const TARGETS: { method: 'GET' | 'POST'; path: string; share: number; body?: () => string }[] = [{ method: 'GET', path: '/metrics', share: 1 }];

const dir = mkdtempSync(join(tmpdir(), 'pp-load-'));
const nodeArgs = process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const heartbeatsPerSecond = Number(arg('heartbeats', '0'));
const JOBS = 100;
const jobs = heartbeatsPerSecond > 0 ? `heartbeats:\n${Array.from({ length: JOBS }, (_, i) => `  - { service: job-${i}, interval: 1m }`).join('\n')}\n` : '';
const proc = await startSidecarProc({ config: benchConfig(dir, '5s', jobs), dir, npmStart: NPM_START, nodeArgs });
const pingAgent = new Agent({ keepAlive: true, maxSockets: 32 });
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

const one = (t: (typeof TARGETS)[number], via = agent): Promise<{ ok: boolean; ms: number }> =>
  new Promise((resolve) => {
    const t0 = performance.now();
    const body = t.body?.();
    const req = request({ host: '127.0.0.1', port: proc.port, path: t.path, method: t.method, agent: via, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: (res.statusCode ?? 0) < 400, ms: performance.now() - t0 }));
      res.on('error', () => resolve({ ok: false, ms: performance.now() - t0 }));
    });
    req.on('error', () => resolve({ ok: false, ms: performance.now() - t0 }));
    req.setTimeout(10_000, () => req.destroy());
    req.end(body);
  });

try {
  const idleRss = rssBytes(proc.pid);
  const latencies: number[] = [];
  let errors = 0;
  const rssDuring: number[] = [];
  const until = Date.now() + seconds * 1000;
  const totalShare = TARGETS.reduce((s, t) => s + t.share, 0);
  const pick = (i: number) => {
    let k = (i % totalShare) + 1;
    for (const t of TARGETS) if ((k -= t.share) <= 0) return t;
    return TARGETS[0]!;
  };
  const sampler = setInterval(() => rssDuring.push(rssBytes(proc.pid)), 1000);
  // heartbeat pings, paced in 10 ms ticks; a ping that cannot be sent on time is counted as missed, not queued
  const pings = { sent: 0, ok: 0, failed: 0, missed: 0 };
  let inFlight = 0;
  const pinger =
    heartbeatsPerSecond > 0
      ? setInterval(() => {
          for (let k = 0; k < heartbeatsPerSecond / 100; k++) {
            if (inFlight >= 256) {
              pings.missed += 1;
              continue;
            }
            const job = `job-${pings.sent++ % JOBS}`;
            inFlight += 1;
            void one({ method: 'POST', path: `/heartbeat/${job}`, share: 0, body: () => '{"cpu":42,"memory":50,"latency_ms":12,"error_rate":0.01}' }, pingAgent).then((r) => {
              inFlight -= 1;
              if (r.ok) pings.ok += 1;
              else pings.failed += 1;
            });
          }
        }, 10)
      : undefined;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const t = pick(i);
      while (Date.now() < until) {
        const r = await one(t);
        if (r.ok) latencies.push(r.ms);
        else errors += 1;
      }
    }),
  );
  clearInterval(sampler);
  if (pinger) clearInterval(pinger);
  while (inFlight > 0) await sleep(10);
  agent.destroy();
  pingAgent.destroy();
  const rssAfter: number[] = [];
  for (let s = 0; s < after; s++) {
    await sleep(1000);
    rssAfter.push(rssBytes(proc.pid));
  }
  const result = {
    concurrency,
    seconds,
    nodeArgs,
    heartbeatsPerSecond,
    pings: { ...pings, perSecond: Math.round(pings.ok / seconds) },
    requests: latencies.length,
    errors,
    rps: Math.round(latencies.length / seconds),
    p50ms: +pct(latencies, 50).toFixed(2),
    p99ms: +pct(latencies, 99).toFixed(2),
    maxMs: +latencies.reduce((a, b) => Math.max(a, b), 0).toFixed(2),
    rssIdleMB: mb(idleRss),
    rssDuringMaxMB: mb(Math.max(...rssDuring)),
    rssAfterEndMB: mb(rssAfter.at(-1) ?? NaN),
    rssAfterMinMB: mb(Math.min(...rssAfter)),
  };
  console.log(JSON.stringify(result));
  writeResult('load', result);
} finally {
  await proc.stop();
}
