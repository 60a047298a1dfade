/**
 * Targets 2 and 4 on one sidecar process (1 s sampling):
 *  - idle phase (600 s; QUICK=1: 60 s): scrape /metrics every 1 s, record prom-client's nodejs_eventloop_lag_p99/max
 *    and the preloaded 1 ms-resolution probe (bench/lag-probe.ts), and VmRSS every second; RSS at the end = idle RSS.
 *  - load phase: wrk -t2 -c16 -d60s (QUICK: 10 s) against /metrics, VmRSS every second; max during, value 10 s after.
 * Run: node bench/soak.ts [--idle-seconds=N] [--load-seconds=N] [--node-arg=--max-semi-space-size=4] [--tag=NAME]
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, appendResult, benchConfig, mb, pct, rssBytes, runWrk, sample, sleep, startSidecarProc, writeResult } from './lib.ts';

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const idleS = Number(arg('idle-seconds') ?? (QUICK ? 60 : 600));
const loadS = Number(arg('load-seconds') ?? (QUICK ? 10 : 60));
const nodeArgs = process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const tag = arg('tag') ?? (nodeArgs.join('_').replace(/[^\w=.-]/g, '') || 'default');
const dir = mkdtempSync(join(tmpdir(), 'prodpulse-soak-'));
const lagFile = join(dir, 'lag.jsonl');
const log = `soak-${tag}.jsonl`;
writeResult(log, '');

const sc = await startSidecarProc({
  dir,
  config: benchConfig(dir, '1s'),
  nodeArgs: ['--import', new URL('./lag-probe.ts', import.meta.url).pathname, ...nodeArgs],
  env: { BENCH_LAG_FILE: lagFile },
});
process.stdout.write(`soak: sidecar pid ${sc.pid} at ${sc.url}, node ${nodeArgs.join(' ') || 'default flags'}, idle ${idleS} s, load ${loadS} s\n`);
const promP99: number[] = [];
const promMax: number[] = [];
const rssIdle: number[] = [];
try {
  // ---- idle phase: one scrape per second ----
  const t0 = Date.now();
  for (let i = 1; Date.now() - t0 < idleS * 1000; i++) {
    const next = t0 + i * 1000;
    const body = await (await fetch(`${sc.url}/metrics`)).text();
    const p99 = sample(body, 'nodejs_eventloop_lag_p99_seconds') * 1000;
    const max = sample(body, 'nodejs_eventloop_lag_max_seconds') * 1000;
    const rss = rssBytes(sc.pid);
    promP99.push(p99);
    promMax.push(max);
    rssIdle.push(rss);
    appendResult(log, JSON.stringify({ phase: 'idle', t: Date.now() - t0, promLagP99ms: p99, promLagMaxms: max, rssMB: mb(rss) }));
    await sleep(Math.max(0, next - Date.now()));
  }
  const idleRss = rssBytes(sc.pid);
  const probe = existsSync(lagFile)
    ? readFileSync(lagFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; p99: number; max: number })
    : [];
  const probeIdle = probe.filter((p) => p.t >= t0);

  // ---- load phase ----
  const rssLoad: number[] = [];
  const wrkP = runWrk(['-t2', '-c16', `-d${loadS}s`, '--latency', `${sc.url}/metrics`]);
  let done = false;
  void wrkP.then(() => (done = true));
  const tl = Date.now();
  while (!done) {
    await sleep(1000);
    const rss = rssBytes(sc.pid);
    rssLoad.push(rss);
    appendResult(log, JSON.stringify({ phase: 'load', t: Date.now() - tl, rssMB: mb(rss) }));
  }
  const wrk = await wrkP;
  const probeLoad = readFileSync(lagFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; p99: number; max: number }).filter((p) => p.t >= tl && p.t <= tl + loadS * 1000);
  await sleep(10_000);
  const rssAfter = rssBytes(sc.pid);
  appendResult(log, JSON.stringify({ phase: 'after', t: Date.now() - tl, rssMB: mb(rssAfter) }));

  const summary = {
    command: `node --import ./bench/lag-probe.ts ${nodeArgs.join(' ')} src/main.ts serve (sampling 1s); idle ${idleS} s scraping /metrics 1/s; then ${wrk.command}`,
    nodeArgs,
    idleSeconds: idleS,
    lag: {
      note: 'probe = own monitorEventLoopDelay at 1 ms resolution, per 1 s window, resolution subtracted; prom = nodejs_eventloop_lag_* from /metrics (10 ms resolution, NOT subtracted)',
      probeWindows: probeIdle.length,
      probeP99ofWindowP99ms: pct(probeIdle.map((p) => p.p99), 99),
      probeMaxOfWindowMaxms: Math.max(...probeIdle.map((p) => p.max)),
      probeWindowsOver5ms: probeIdle.filter((p) => p.max > 5).length,
      promLagP99ms_median: pct(promP99, 50),
      promLagP99ms_max: Math.max(...promP99),
      promLagMaxms_max: Math.max(...promMax),
      duringLoad_probeMaxms: probeLoad.length ? Math.max(...probeLoad.map((p) => p.max)) : NaN,
      duringLoad_probeP99ofWindowP99ms: pct(probeLoad.map((p) => p.p99), 99),
    },
    memory: {
      idleRssMB_after: mb(idleRss),
      idleRssMB_maxDuring: mb(Math.max(...rssIdle)),
      loadRssMB_max: mb(Math.max(...rssLoad)),
      loadRssMB_10sAfter: mb(rssAfter),
      loadReqPerSec: wrk.reqPerSec,
      loadP99ms: wrk.p99ms,
    },
    targets: { lagMaxms: '<= 5', idleRssMB: '<= 80', loadRssMB: '<= 120' },
  };
  writeResult(`soak-${tag}.json`, { summary, wrk: wrk.raw });
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} finally {
  await sc.stop();
}
