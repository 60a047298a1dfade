/**
 * Preloaded into the sidecar by the soak bench (node --import ./bench/lag-probe.ts src/main.ts serve ...): an own
 * event-loop-delay histogram at 1 ms resolution, reset every second, one JSON line per second to $BENCH_LAG_FILE.
 * Node's histogram records the whole timer interval (resolution included), so the resolution is subtracted here;
 * prom-client's nodejs_eventloop_lag_* (resolution 10 ms in src/metrics/registry.ts) do not subtract it.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_LAG_FILE;
if (file) {
  const RES = 1;
  const h = monitorEventLoopDelay({ resolution: RES });
  h.enable();
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RES) * 1000) / 1000);
  const t = setInterval(() => {
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), n: h.count })}\n`);
    h.reset();
  }, 1000);
  t.unref();
}
