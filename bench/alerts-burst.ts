/**
 * Target 7: 1 000 alerts firing at once across 4 channels (Slack double, webhook sink, SMTP sink, Alertmanager API
 * on a second webhook sink; all in bench/sinks.ts, its own process). In process: createSidecar with the real host
 * collectors plus one collector returning 1 000 series bench_series{i}; the bench flips all 1 000 over/under the
 * threshold every 2 s while `wrk -t1 -c4 -d10s --latency` scrapes /metrics. Checks: messages per evaluation
 * (≤ 4: one per channel, each carrying all 1 000), and /metrics p99 ≤ 5 ms while sending. A baseline wrk run with
 * the same 1 000 series and no flips comes first.
 * Run: node bench/alerts-burst.ts [--series=1000]
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startBurstSetup, now, type Msg } from './alert-harness.ts';
import { QUICK, pct, runWrk, sleep, writeResult } from './lib.ts';

const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const SERIES = Number(arg('series') ?? 1000);
const WRK_S = QUICK ? 5 : 10;
const { sinks, sc, flip } = await startBurstSetup(SERIES);
const metricsUrl = `${sc.url}/metrics`;
// evidence: how long each evaluation takes end to end (wall time; it runs paced, src/lib/slice.ts), and the
// loop's worst stalls (monitorEventLoopDelay below)
const evalMs: { ms: number; at: number }[] = [];
type Paced = (r: unknown, u: unknown, p: unknown) => Promise<void>;
const alerting = sc.sidecar.alerting as unknown as { evaluate: Paced };
const origEvaluate = alerting.evaluate.bind(alerting);
alerting.evaluate = async (r, u, p) => {
  const t = performance.now();
  try {
    await origEvaluate(r, u, p);
  } finally {
    evalMs.push({ ms: performance.now() - t, at: now() });
  }
};
const eld = monitorEventLoopDelay({ resolution: 1 });
interface Phase { kind: 'firing' | 'resolved'; flippedAt: number; messages: Msg[] }
const phases: Phase[] = [];
let baseline, burst;
try {
  await sleep(3000);
  baseline = await runWrk(['-t1', '-c4', `-d${WRK_S}s`, '--latency', metricsUrl]);
  process.stdout.write(`baseline (no alerts sending): ${baseline.reqPerSec} req/s p99 ${baseline.p99ms} ms\n`);
  await sleep(1000);
  evalMs.length = 0;
  eld.enable();
  const wrkP = runWrk(['-t1', '-c4', `-d${WRK_S}s`, '--latency', metricsUrl]);
  const end = now() + WRK_S * 1000 - 500;
  await sleep(500);
  while (now() < end - 1000) {
    const value = flip();
    const from = sinks.messages.length;
    const phase: Phase = { kind: value === 2 ? 'firing' : 'resolved', flippedAt: now(), messages: [] };
    phases.push(phase);
    await sleep(2000);
    phase.messages = sinks.messages.slice(from);
  }
  burst = await wrkP;
  eld.disable();
  process.stdout.write(`during bursts: ${burst.reqPerSec} req/s p99 ${burst.p99ms} ms\n`);
  // let the last phase's deliveries land, then stop firing
  await sleep(3000);
  if (phases.length) phases.at(-1)!.messages = sinks.messages.filter((m) => m.t >= phases.at(-1)!.flippedAt);
} finally {
  await sc.stop();
  await sinks.proc.stop();
}
const perPhase = phases.map((p) => {
  const byCh: Record<string, { messages: number; alerts: (number | null)[]; latencyMs: number[] }> = {};
  for (const m of p.messages) {
    const c = (byCh[m.ch] ??= { messages: 0, alerts: [], latencyMs: [] });
    c.messages++;
    c.alerts.push(m.alerts);
    c.latencyMs.push(Math.round(m.t - p.flippedAt));
  }
  return { kind: p.kind, totalMessages: p.messages.length, byChannel: byCh };
});
const summary = {
  command: `node bench/alerts-burst.ts --series=${SERIES}; wrk -t1 -c4 -d${WRK_S}s --latency /metrics (baseline, then during flips every 2 s)`,
  series: SERIES,
  evaluationsWithEvents: phases.length,
  maxMessagesPerEvaluation: Math.max(...perPhase.map((p) => p.totalMessages)),
  perPhase,
  baseline: { reqPerSec: baseline?.reqPerSec, p50ms: baseline?.p50ms, p99ms: baseline?.p99ms, maxms: baseline?.maxms },
  evaluateMs_withEvents: evalMs.filter((e) => phases.some((p) => e.at >= p.flippedAt && e.at <= p.flippedAt + 1500)).map((e) => Math.round(e.ms)),
  evaluateMs_quiet_p50: Math.round(pct(evalMs.map((e) => e.ms), 50) * 100) / 100,
  eventLoopMaxStallMs_duringBursts: Math.round(eld.max / 1e6 - 1),
  duringBursts: { reqPerSec: burst?.reqPerSec, p50ms: burst?.p50ms, p99ms: burst?.p99ms, maxms: burst?.maxms, errors: burst?.errors },
  targets: { maxMessagesPerEvaluation: '<= 4', p99ms: '<= 5' },
};
writeResult(`alerts-burst.json`, { summary, wrkBaseline: baseline?.raw, wrkBurst: burst?.raw });
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
process.exit(0);
