/**
 * Evidence for target 7: what holds the loop while 1 000 alerts flip, without a load generator (so a CPU profile's
 * idle samples separate the tasks). The alerts-burst.ts setup (in-process sidecar at 1 s sampling, the real host
 * collectors plus 1 000 bench_series, 4 channels on bench/sinks.ts), one GET /metrics every 100 ms, values flipped
 * every 2 s for --seconds; a 1 ms monitorEventLoopDelay over the flips. Run it under --cpu-prof and read the
 * profile with bench/stalls.ts:
 *   node --cpu-prof --cpu-prof-interval=100 --cpu-prof-dir=/tmp/prof bench/burst-stalls.ts [--seconds=10]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBurstSetup } from './alert-harness.ts';
import { sleep } from './lib.ts';

const SECONDS = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 10);
const SERIES = 1000;
const { sinks, sc, flip } = await startBurstSetup(SERIES);
const eld = monitorEventLoopDelay({ resolution: 1 });
let scraping = true;
const scraper = (async () => {
  while (scraping) {
    await (await fetch(`${sc.url}/metrics`)).arrayBuffer();
    await sleep(100);
  }
})();
try {
  await sleep(3000);
  eld.enable();
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    flip();
    await sleep(2000);
  }
  eld.disable();
} finally {
  scraping = false;
  await scraper;
  await sc.stop();
  await sinks.proc.stop();
}
const ms = (ns: number) => Math.round((ns / 1e6 - 1) * 100) / 100;
process.stdout.write(`${JSON.stringify({ eventLoopDelayMs: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) } })}\n`);
process.exit(0);
