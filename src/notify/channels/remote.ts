/**
 * Channels whose sends run on a worker thread (worker-entry.ts). The delivery loop, outbox and retries stay where
 * they are; only `send` crosses: the events go over as the JSON string the outbox already holds (a copy, not a
 * structured clone of a thousand objects), the result comes back as ok or a NotifyError's fields. Used when the
 * sidecar has at least one active channel and no injected channel edges (tests inject fetch or SMTP transports,
 * which cannot cross a thread). A worker that dies fails its in-flight sends as recoverable (they are retried) and
 * is started again on the next send.
 */
import { Worker } from 'node:worker_threads';
import type { ChannelConfig } from '../../config/schema.ts';
import type { Logger } from '../../lib/logger.ts';
import { eventsJson } from '../../store/event-json.ts';
import { redactText } from '../../lib/redact.ts';
import { channelSecrets } from './index.ts';
import { resendPolicy } from './registry.ts';
import { NotifyError, type AlertEvent, type Channel } from '../types.ts';

export type ToWorker =
  | { type: 'config'; generation: number; channels: [string, ChannelConfig][]; version: string; externalUrl?: string | undefined }
  | { type: 'send'; id: number; channel: string; events: string }
  | { type: 'abort'; id: number };

export type FromWorker =
  | { type: 'ready'; generation: number }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg?: string }
  | { type: 'result'; id: number; ok: true }
  | { type: 'result'; id: number; ok: false; error: { message: string; notify: boolean; recoverable: boolean; reason: string; retryAfterMs?: number } };

export interface ChannelWorker {
  /** proxies for these channels (the worker builds the real ones from the same configs) */
  configure(channels: [string, ChannelConfig][], opts: { version: string; externalUrl?: string | undefined }): Map<string, Channel>;
  /** stops the thread; sends in flight may finish within graceMs (default 0), later ones fail as recoverable */
  stop(graceMs?: number): Promise<void>;
  /** whether the thread is up (it starts with the first configure or send) */
  running(): boolean;
}

/** the worker's young generation: its garbage is short-lived formatting; a small nursery keeps its RSS down */
const WORKER_YOUNG_GENERATION_MB = 4;

export function createChannelWorker(logger: Logger): ChannelWorker {
  interface Pending {
    resolve: () => void;
    reject: (e: unknown) => void;
  }
  /** one worker and the sends it owns: an old worker's exit can only fail its own sends */
  interface Thread {
    w: Worker;
    pending: Map<number, Pending>;
  }
  let current: Thread | undefined;
  let lastConfig: Extract<ToWorker, { type: 'config' }> | undefined;
  let generation = 0;
  let nextId = 1;
  const secrets = () => (lastConfig?.channels ?? []).flatMap(([, cfg]) => channelSecrets(cfg));

  const failAll = (t: Thread, why: string) => {
    for (const p of t.pending.values()) p.reject(new NotifyError(`channel worker ${why}`, { recoverable: true, reason: 'worker' }));
    t.pending.clear();
  };

  const spawn = (): Thread => {
    const w = new Worker(new URL('./worker-entry.ts', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const t: Thread = { w, pending: new Map() };
    w.unref(); // pending sends keep their own timers; the worker alone must not keep the process up
    w.on('message', (m: FromWorker) => {
      if (m.type === 'log') {
        logger[m.level]({ ...m.obj, thread: 'channels' }, m.msg);
      } else if (m.type === 'result') {
        const p = t.pending.get(m.id);
        if (!p) return;
        t.pending.delete(m.id);
        if (m.ok) p.resolve();
        else {
          const e = m.error;
          p.reject(e.notify ? new NotifyError(e.message, { recoverable: e.recoverable, reason: e.reason, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) }) : new Error(e.message));
        }
      }
    });
    w.on('error', (err) => logger.error({ err: { message: redactText(err.message, secrets()) } }, 'channel worker failed'));
    w.on('exit', (code) => {
      if (current === t) current = undefined;
      failAll(t, `exited (code ${code})`);
    });
    if (lastConfig) w.postMessage(lastConfig);
    return t;
  };

  /** a proxy of generation `gen`: once the worker is reconfigured or stopped it sends nothing new (the caller looks the channel up again) */
  const proxy = (name: string, cfg: ChannelConfig, gen: number): Channel => ({
    name,
    type: cfg.type,
    ...resendPolicy(cfg),
    send(events: AlertEvent[], signal: AbortSignal): Promise<void> {
      if (gen !== generation || !lastConfig) {
        return Promise.reject(new NotifyError(`channel ${name}: its worker was reconfigured or stopped`, { recoverable: true, reason: 'worker_stopped' }));
      }
      const t = (current ??= spawn());
      const sendId = nextId++;
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          t.w.postMessage({ type: 'abort', id: sendId } satisfies ToWorker);
          t.pending.delete(sendId);
          reject(signal.reason);
        };
        const settle = (fn: () => void) => {
          signal.removeEventListener('abort', onAbort);
          fn();
        };
        t.pending.set(sendId, { resolve: () => settle(resolve), reject: (e) => settle(() => reject(e)) });
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        t.w.postMessage({ type: 'send', id: sendId, channel: name, events: eventsJson(events) } satisfies ToWorker);
      });
    },
  });

  return {
    configure(channels, opts) {
      const gen = ++generation;
      lastConfig = { type: 'config', generation: gen, channels, version: opts.version, externalUrl: opts.externalUrl };
      (current ??= spawn()).w.postMessage(lastConfig);
      return new Map(channels.map(([name, cfg]) => [name, proxy(name, cfg, gen)]));
    },
    running: () => current !== undefined,
    async stop(graceMs = 0) {
      generation++;
      lastConfig = undefined;
      const t = current;
      current = undefined;
      if (!t) return;
      // sends already on the wire may finish (a reload to delivery_thread: main); then the thread goes
      const until = Date.now() + graceMs;
      while (t.pending.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      failAll(t, 'stopped');
      await t.w.terminate();
    },
  };
}
