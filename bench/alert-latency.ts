/**
 * Target 6: threshold crossed → message at the Slack double within one sampling interval + 50 ms (p99, `for: 0`).
 * In process: createSidecar with the real host collectors plus one injected collector whose value the bench flips
 * over/under the threshold at a random moment within the interval; the Slack double runs in bench/sinks.ts (its own
 * process). Per crossing: flip → firing message; then flip back → resolved message (not counted).
 *   flip→receipt: from the flip to the double receiving chat.postMessage (what a user sees; bound: interval + 50 ms)
 *   cycle→receipt: from the start of the sampling cycle whose collector first returned the new value
 * Run: node bench/alert-latency.ts [--crossings=200] [--interval=250ms]
 */
import type { Collector } from '../src/collectors/collector.ts';
import { parseDuration } from '../src/lib/duration.ts';
import { startInProcessSidecar, startSinks, now } from './alert-harness.ts';
import { QUICK, pct, sleep, writeResult } from './lib.ts';

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const crossings = Number(arg('crossings') ?? (QUICK ? 20 : 200));
const intervalText = arg('interval') ?? '250ms';
const intervalMs = parseDuration(intervalText)!;

let value = 0;
let lastSeen = 0;
let seenAt = 0;
const flip: Collector = {
  name: 'bench_flip',
  kind: 'host',
  metrics: { bench_flip_value: { type: 'gauge', help: 'Flips between 0 and 1.', labels: [] } },
  async collect() {
    const t = now();
    if (value !== lastSeen) {
      lastSeen = value;
      seenAt = t;
    }
    return { readings: [{ metric: 'bench_flip_value', labels: {}, value }], summary: { value } };
  },
};

const sinks = await startSinks();
const sc = await startInProcessSidecar(
  `sampling: { interval: ${intervalText} }
storage: { path: $DIR/prodpulse.db }
channels:
  slack: { type: slack, token: xoxb-bench, channel: "#alerts", api_url: "${sinks.urls.slack}" }
defaults: { channels: [slack], send_resolved: true }
rules:
  - { alert: BenchFlip, metric: bench_flip_value, op: ">", threshold: 1, severity: critical, summary: "flip {{ value }}" }
`,
  [flip],
);
const flipToReceipt: number[] = [];
const cycleToReceipt: number[] = [];
const resolvedFlipToReceipt: number[] = [];
let missed = 0;
try {
  await sleep(intervalMs * 3);
  for (let i = 0; i < crossings; i++) {
    await sleep(Math.random() * intervalMs);
    let from = sinks.messages.length;
    const flippedAt = now();
    value = 2;
    const got = await sinks.waitFor((m) => m.ch === 'slack' && m.kinds === 'firing' && m.t >= flippedAt, from, intervalMs + 5000);
    if (!got) missed++;
    else {
      flipToReceipt.push(got.t - flippedAt);
      cycleToReceipt.push(got.t - seenAt);
    }
    await sleep(Math.random() * intervalMs);
    from = sinks.messages.length;
    const backAt = now();
    value = 0;
    const res = await sinks.waitFor((m) => m.ch === 'slack' && m.kinds === 'resolved' && m.t >= backAt, from, intervalMs + 5000);
    if (res) resolvedFlipToReceipt.push(res.t - backAt);
    if ((i + 1) % 50 === 0) process.stdout.write(`${i + 1}/${crossings} crossings\n`);
  }
} finally {
  await sc.stop();
  await sinks.proc.stop();
}
const r = (v: number) => Math.round(v * 10) / 10;
const stats = (v: number[]) => ({ n: v.length, p50ms: r(pct(v, 50)), p99ms: r(pct(v, 99)), maxms: r(Math.max(...v)) });
const summary = {
  command: `node bench/alert-latency.ts --crossings=${crossings} --interval=${intervalText}`,
  intervalMs,
  crossings,
  missed,
  flipToReceipt: stats(flipToReceipt),
  cycleToReceipt: stats(cycleToReceipt),
  resolved_flipToReceipt: stats(resolvedFlipToReceipt),
  target: `flipToReceipt p99 <= interval + 50 ms = ${intervalMs + 50} ms`,
  met: pct(flipToReceipt, 99) <= intervalMs + 50 && missed === 0,
};
writeResult(`alert-latency-${intervalText}.json`, { summary, flipToReceipt, cycleToReceipt });
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
process.exit(0);
