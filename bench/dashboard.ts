/**
 * Dashboard costs.
 * 1. First page with 500 services (fake views, in process): server time of GET / (render + gzip, measured around
 *    app.request, no socket) and bytes sent, gzip and identity. Targets: ≤ 20 ms, ≤ 250 KB.
 * 2. 100 dashboards on /events at 1 s sampling (sidecar process, as npm start runs it): extra VmRSS (before any
 *    wrk run), then /metrics p99 (wrk -t1 -c4) with them and after they left. Targets: ≤ 10 MB, p99 within 1 ms.
 *
 *   node bench/dashboard.ts            (QUICK=1 for a smoke run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { createDashboard } from '../src/http/dashboard/dashboard.ts';
import { systemClock } from '../src/lib/clock.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { createFakeViews } from '../test/support/fake-views.ts';
import { benchConfig, mb, NPM_START, pct, QUICK, rssBytes, runWrk, schedMs, sleep, startSidecarProc, writeResult } from './lib.ts';

async function firstPage() {
  const views = createFakeViews({ services: 500 });
  const app = new Hono();
  createDashboard({ views, clock: systemClock, logger: silentLogger(), version: 'bench' }).routes(app);
  const get = async (gzip: boolean) => {
    const t0 = performance.now();
    const res = await app.request('/', { headers: gzip ? { 'accept-encoding': 'gzip' } : {} });
    const body = new Uint8Array(await res.arrayBuffer());
    return { ms: performance.now() - t0, bytes: body.byteLength };
  };
  for (let i = 0; i < 30; i++) await get(true); // warm-up
  const n = QUICK ? 50 : 300;
  const gz: number[] = [];
  const plain: number[] = [];
  let gzBytes = 0;
  let plainBytes = 0;
  for (let i = 0; i < n; i++) {
    const a = await get(true);
    gz.push(a.ms);
    gzBytes = a.bytes;
    const b = await get(false);
    plain.push(b.ms);
    plainBytes = b.bytes;
  }
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    services: 500,
    requests: n,
    gzip: { p50ms: r(pct(gz, 50)), p99ms: r(pct(gz, 99)), bytes: gzBytes },
    identity: { p50ms: r(pct(plain, 50)), p99ms: r(pct(plain, 99)), bytes: plainBytes },
  };
}

async function sseClients() {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-bench-dash-'));
  const sc = await startSidecarProc({ config: benchConfig(dir, '1s'), dir, npmStart: NPM_START });
  const settle = QUICK ? 5 : 20;
  const wrkArgs = ['-t1', '-c4', `-d${QUICK ? 5 : 15}s`, '--latency', `${sc.url}/metrics`];
  const lagMaxMs = async () => Number(/^nodejs_eventloop_lag_max_seconds (\S+)/m.exec(await (await fetch(`${sc.url}/metrics`)).text())?.[1]) * 1000;
  /**
   * Mean VmRSS, the sidecar's CPU time (all threads) per second, and its own event-loop lag gauge (max per
   * sampling interval, read once a second) over `seconds`
   */
  const rssOver = async (seconds: number) => {
    const xs: number[] = [];
    const lags: number[] = [];
    const cpu0 = schedMs(sc.pid);
    const t0 = performance.now();
    for (let i = 0; i < seconds; i++) {
      xs.push(rssBytes(sc.pid));
      await sleep(1000);
      lags.push(await lagMaxMs());
    }
    const cpuMsPerS = (schedMs(sc.pid) - cpu0) / ((performance.now() - t0) / 1000);
    const r = (x: number) => Math.round(x * 100) / 100;
    return { rss: xs.reduce((a, b) => a + b, 0) / xs.length, cpuMsPerS: r(cpuMsPerS), lagMaxMedianMs: r(pct(lags, 50)), lagMaxMaxMs: r(pct(lags, 100)) };
  };
  try {
    // RSS is compared before any wrk run (a wrk run grows the heap for a while on its own), then /metrics is
    // measured with the clients attached and again after they left
    await sleep(settle * 1000);
    const rssBefore = await rssOver(10);

    const aborts: AbortController[] = [];
    let bytes = 0;
    let events = 0;
    for (let i = 0; i < 100; i++) {
      const ac = new AbortController();
      aborts.push(ac);
      const res = await fetch(`${sc.url}/events`, { signal: ac.signal });
      if (res.status !== 200) throw new Error(`/events answered ${res.status}`);
      void (async () => {
        const reader = res.body!.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            bytes += value.byteLength;
            events++;
          }
        } catch {
          // aborted at the end
        }
      })();
    }
    await sleep(settle * 1000);
    const rssWith = await rssOver(10);
    const wrkWith = await runWrk(wrkArgs);
    for (const ac of aborts) ac.abort();
    await sleep(5000);
    const wrkBefore = await runWrk(wrkArgs);
    return {
      sampling: '1s',
      clients: 100,
      rssBeforeMB: mb(rssBefore.rss),
      rssWithMB: mb(rssWith.rss),
      extraRssMB: mb(rssWith.rss - rssBefore.rss),
      sidecarCpuMsPerSecondBefore: rssBefore.cpuMsPerS,
      sidecarCpuMsPerSecondWith: rssWith.cpuMsPerS,
      eventLoopLagMaxPerIntervalMs: { before: { median: rssBefore.lagMaxMedianMs, max: rssBefore.lagMaxMaxMs }, with: { median: rssWith.lagMaxMedianMs, max: rssWith.lagMaxMaxMs } },
      metricsP99msBefore: wrkBefore.p99ms,
      metricsP99msWith: wrkWith.p99ms,
      reqPerSecBefore: wrkBefore.reqPerSec,
      reqPerSecWith: wrkWith.reqPerSec,
      sseBytesReceived: bytes,
      sseChunksReceived: events,
      wrk: wrkBefore.command,
    };
  } finally {
    await sc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const page = await firstPage();
console.log('first page', JSON.stringify(page));
const sse = await sseClients();
console.log('sse', JSON.stringify(sse));
writeResult('dashboard.json', { page, sse });
