/**
 * A simulated service that pushes its heartbeat with metrics to the sidecar, as a real one would:
 * `POST /heartbeat/NAME` with `{"cpu", "memory", "latency_ms", "error_rate"}` and the server token, every
 * `intervalMs`. HIGH_CPU and HIGH_ERROR_RATE push values over the shipped rules' thresholds (85 %, 0.10); DOWN
 * stops pushing, so the sidecar sees the heartbeat go missing.
 */
import type { Fault } from './faults.ts';

export interface PushedSample {
  cpu: number;
  memory: number;
  latency_ms: number;
  error_rate: number;
}

/** what a service in this fault pushes; `random` in [0, 1) */
export function sample(fault: Fault, random: () => number): PushedSample {
  const r = (lo: number, hi: number) => Math.round((lo + random() * (hi - lo)) * 1000) / 1000;
  return {
    cpu: fault === 'HIGH_CPU' ? r(92, 99) : r(15, 45),
    memory: r(40, 60),
    latency_ms: fault === 'HIGH_ERROR_RATE' ? r(150, 400) : r(20, 80),
    error_rate: fault === 'HIGH_ERROR_RATE' ? r(0.15, 0.3) : r(0, 0.01),
  };
}

export interface Pusher {
  readonly name: string;
  /** pushes made and refused (non-2xx or network error) */
  readonly counts: { ok: number; failed: number };
  stop(): Promise<void>;
}

export function startPusher(opts: {
  name: string;
  /** the sidecar's base URL */
  url: string;
  token: string;
  intervalMs: number;
  fault: () => Fault;
  random: () => number;
  fetch?: typeof fetch;
  onError?: (message: string) => void;
}): Pusher {
  const doFetch = opts.fetch ?? fetch;
  const counts = { ok: 0, failed: 0 };
  const abort = new AbortController();
  let inflight: Promise<void> | undefined;
  let lastError = '';
  const push = () => {
    if (inflight || opts.fault() === 'DOWN') return;
    inflight = doFetch(`${opts.url}/heartbeat/${encodeURIComponent(opts.name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
      body: JSON.stringify(sample(opts.fault(), opts.random)),
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout(Math.max(500, opts.intervalMs))]),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.ok) return void counts.ok++;
        counts.failed++;
        report(`HTTP ${res.status}`);
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        counts.failed++;
        report((err as Error).message);
      })
      .finally(() => (inflight = undefined));
  };
  // one line per new kind of failure, not one a second
  const report = (message: string) => {
    if (message !== lastError) opts.onError?.(`${opts.name}: heartbeat push failed: ${message}`);
    lastError = message;
  };
  push();
  const timer = setInterval(push, opts.intervalMs);
  return {
    name: opts.name,
    counts,
    async stop() {
      clearInterval(timer);
      abort.abort();
      await inflight;
    },
  };
}
