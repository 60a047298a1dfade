/**
 * Targets 2 and 4 on one sidecar process (1 s sampling):
 *  - idle phase (600 s; QUICK=1: 60 s): scrape /metrics every 1 s, record prom-client's nodejs_eventloop_lag_p99/max
 *    and the preloaded 1 ms-resolution probe (bench/lag-probe.ts), and VmRSS every second; RSS at the end = idle RSS.
 *  - load phase: wrk -t2 -c16 -d60s (QUICK: 10 s) against /metrics, VmRSS every second; max during, value 10 s after.
 * The sidecar runs with the `npm start` flags (compile cache warmed by one earlier start, --max-semi-space-size=4;
 * lib.ts startSidecarProc npmStart) unless --plain-node is given. Lag is read two ways: the probe above (1 ms, per
 * 1 s window) and the sidecar's own nodejs_eventloop_lag_{p99,max}_seconds (src/metrics/event-loop.ts: 100 ms tick,
 * resolution subtracted, over the last sampling interval), scraped once per second.
 * Run: node bench/soak.ts [--idle-seconds=N] [--load-seconds=N] [--plain-node] [--node-arg=...] [--tag=NAME]
 */
import { copyFileSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NPM_START, QUICK, RESULTS, appendResult, benchConfig, mb, pct, rssBytes, runWrk, sample, sleep, startSidecarProc, writeResult } from './lib.ts';

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const idleS = Number(arg('idle-seconds') ?? (QUICK ? 60 : 600));
const loadS = Number(arg('load-seconds') ?? (QUICK ? 10 : 60));
const nodeArgs = process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const tag = arg('tag') ?? ([NPM_START ? 'npmstart' : '', ...nodeArgs].filter(Boolean).join('_').replace(/[^\w=.-]/g, '') || 'default');
/** process start from /proc (btime + starttime ticks), 10 ms resolution: lines up --trace-gc times with probe windows */
const procStartEpochMs = (pid: number) => {
  const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  const start = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
  return btime * 1000 + start * 10;
};
const dir = mkdtempSync(join(tmpdir(), 'prodpulse-soak-'));
const lagFile = join(dir, 'lag.jsonl');
const log = `soak-${tag}.jsonl`;
writeResult(log, '');

const sc = await startSidecarProc({
  dir,
  config: benchConfig(dir, '1s'),
  nodeArgs: ['--import', new URL('./lag-probe.ts', import.meta.url).pathname, ...nodeArgs],
  npmStart: NPM_START,
  env: { BENCH_LAG_FILE: lagFile },
});
process.stdout.write(`soak: sidecar pid ${sc.pid} at ${sc.url}, node ${NPM_START ? 'npm start flags ' : ''}${nodeArgs.join(' ')}, idle ${idleS} s, load ${loadS} s\n`);
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
  copyFileSync(lagFile, `${RESULTS}soak-${tag}-lagwindows.jsonl`);
  appendResult(log, JSON.stringify({ phase: 'after', t: Date.now() - tl, rssMB: mb(rssAfter) }));

  const summary = {
    command: `${NPM_START ? 'NODE_COMPILE_CACHE=node_modules/.cache/prodpulse-compile node --max-semi-space-size=4' : 'node'} --import ./bench/lag-probe.ts ${nodeArgs.join(' ')} src/main.ts serve (sampling 1s); idle ${idleS} s scraping /metrics 1/s; then ${wrk.command}`,
    npmStartFlags: NPM_START,
    nodeArgs,
    idleSeconds: idleS,
    lag: {
      note: 'probe = bench/lag-probe.ts monitorEventLoopDelay at 1 ms resolution, per 1 s window, resolution subtracted; prom = the sidecar\'s own nodejs_eventloop_lag_* from /metrics (src/metrics/event-loop.ts: 100 ms tick, resolution subtracted, last sampling interval)',
      probeWindows: probeIdle.length,
      probeP99ofWindowP99ms: pct(probeIdle.map((p) => p.p99), 99),
      probeMaxOfWindowMaxms: Math.max(...probeIdle.map((p) => p.max)),
      probeWindowsOver5ms: probeIdle.filter((p) => p.max > 5).length,
      probeMedianWindowMaxms: pct(probeIdle.map((p) => p.max), 50),
      probeP99ofWindowMaxms: pct(probeIdle.map((p) => p.max), 99),
      promLagMaxms_median: pct(promMax, 50),
      promLagMaxms_p99: pct(promMax, 99),
      promScrapesMaxOver5ms: promMax.filter((v) => v > 5).length,
      promScrapes: promMax.length,
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
  writeResult(`soak-${tag}.json`, { summary, wrk: wrk.raw, sidecarStartEpochMs: procStartEpochMs(sc.pid) });
  // the sidecar's own output (last 100 kB; e.g. --node-arg=--trace-gc lines: ms since its start, see sidecarStartEpochMs)
  writeResult(`soak-${tag}-sidecar.out`, sc.output());
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} finally {
  await sc.stop();
}
