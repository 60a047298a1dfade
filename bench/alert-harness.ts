/** Shared by the alert benches: the sinks process (bench/sinks.ts) and an in-process sidecar with injected collectors. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import type { Collector } from '../src/collectors/collector.ts';
import { collectorOptionsFromConfig, createCollectors } from '../src/collectors/index.ts';
import { staticFactsFromOs } from '../src/collectors/static-facts.ts';
import { parseConfig as parseConfigText } from '../src/wiring/config.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { createSidecar, type Sidecar } from '../src/sidecar.ts';
import { freePort, startProc, type Proc } from './lib.ts';

export const now = () => performance.timeOrigin + performance.now();

export interface Msg {
  ch: 'slack' | 'webhook' | 'alertmanager' | 'email';
  t: number;
  alerts: number | null;
  kinds: string;
}

export interface Sinks {
  urls: { slack: string; webhook: string; alertmanager: string; smtp: string };
  messages: Msg[];
  /** resolves with the first message after index `from` that matches, or undefined after timeoutMs */
  waitFor(pred: (m: Msg) => boolean, from: number, timeoutMs: number): Promise<Msg | undefined>;
  proc: Proc;
}

export async function startSinks(): Promise<Sinks> {
  const proc = startProc(process.execPath, [new URL('./sinks.ts', import.meta.url).pathname]);
  const messages: Msg[] = [];
  const waiters = new Set<() => void>();
  let ready: (u: Sinks['urls']) => void;
  const readyP = new Promise<Sinks['urls']>((r) => (ready = r));
  createInterface({ input: proc.child.stdout! }).on('line', (line) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch {
      return;
    }
    if (o.ready) return ready(o.ready as Sinks['urls']);
    messages.push(o as unknown as Msg);
    for (const w of [...waiters]) w();
  });
  const urls = await Promise.race([readyP, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`sinks not ready:\n${proc.output()}`)), 15_000))]);
  return {
    urls,
    messages,
    proc,
    waitFor(pred, from, timeoutMs) {
      return new Promise((resolve) => {
        const check = () => {
          const m = messages.slice(from).find(pred);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(undefined);
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** An in-process sidecar (src/sidecar.ts createSidecar) on a free loopback port, real host collectors plus `extra`. */
export async function startInProcessSidecar(configText: string, extra: Collector[]): Promise<{ sidecar: Sidecar; url: string; dir: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-alertbench-'));
  const parsed = parseConfigText(configText.replaceAll('$DIR', dir), 'bench-alerts.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const collectors = [...createCollectors(collectorOptionsFromConfig(parsed.config.sampling)), ...extra];
  const sidecar = await createSidecar(parsed.config, { logger: silentLogger(), collectors, staticFacts: async () => staticFactsFromOs() });
  const listening = await sidecar.start({ host: '127.0.0.1', port: await freePort() });
  return { sidecar, url: listening.url, dir, stop: () => sidecar.stop(2000) };
}

/**
 * The 1 000-alert burst setup shared by alerts-burst.ts and burst-stalls.ts: an in-process sidecar at 1 s sampling
 * with the real host collectors plus one collector returning `series` series bench_series{i}, all at `flip()`'s
 * value (0 or 2, threshold 1), and 4 channels on bench/sinks.ts.
 */
export async function startBurstSetup(series: number): Promise<{ sinks: Sinks; sc: Awaited<ReturnType<typeof startInProcessSidecar>>; flip(): number }> {
  let value = 0;
  const many: Collector = {
    name: 'bench_many',
    kind: 'host',
    metrics: { bench_series: { type: 'gauge', help: 'Many series.', labels: ['i'] } },
    async collect() {
      const readings = [];
      for (let i = 0; i < series; i++) readings.push({ metric: 'bench_series', labels: { i: String(i) }, value });
      return { readings, summary: { series, value } };
    },
  };
  const sinks = await startSinks();
  const sc = await startInProcessSidecar(
    `sampling: { interval: 1s }
storage: { path: $DIR/prodpulse.db }
channels:
  slack: { type: slack, token: xoxb-bench, channel: "#alerts", api_url: "${sinks.urls.slack}" }
  hook: { type: webhook, url: "${sinks.urls.webhook}" }
  mail: { type: email, url: "${sinks.urls.smtp}", from: prodpulse@example.com, to: [oncall@example.com] }
  am: { type: alertmanager, url: "${sinks.urls.alertmanager}" }
defaults: { channels: [slack, hook, mail, am], send_resolved: true }
rules:
  - { alert: BenchMany, metric: bench_series, op: ">", threshold: 1, severity: warning, summary: "series {{ labels.i }} at {{ value }}" }
`,
    [many],
  );
  return { sinks, sc, flip: () => (value = value === 0 ? 2 : 0) };
}
