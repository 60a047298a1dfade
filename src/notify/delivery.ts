import pRetry, { AbortError } from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { redactText } from '../lib/redact.ts';
import { NotifyError, type AlertEvent, type Channel } from './types.ts';
import type { Outbox, OutboxRow } from './outbox.ts';

export const OUTCOMES = ['delivered', 'retry', 'failed', 'silenced'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface NotifierMetrics {
  onOutcome(channel: string, outcome: Outcome, durationMs: number): void;
  onQueueDepth(n: number): void;
}

export interface RetryOptions {
  /** p-retry retries per delivery round */
  retries: number;
  minTimeout: number;
  maxTimeout: number;
  /** p-retry maxRetryTime per round */
  maxRetryTime: number;
  /** one send attempt is abandoned (recoverable) after this long */
  attemptTimeoutMs: number;
  /** when a round gives up on a recoverable error, the row is tried again this much later (or Retry-After) */
  laterMs: number;
  /** the longest a far end's Retry-After may defer a row (a 503 with Retry-After: 3000000 waits this long) */
  maxDeferMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  retries: 5,
  minTimeout: 1000,
  maxTimeout: 30_000,
  maxRetryTime: 120_000,
  attemptTimeoutMs: 30_000,
  laterMs: 60_000,
  maxDeferMs: 3_600_000,
};

export interface DeliveryDeps {
  outbox: Outbox;
  /** read on every delivery, so a reload that replaces channels in the map takes effect */
  channels: ReadonlyMap<string, Channel>;
  clock: Clock;
  logger: Logger;
  metrics?: NotifierMetrics | undefined;
  retry?: Partial<RetryOptions> | undefined;
  /** extra strings to scrub from stored errors and logs */
  secrets?: (() => Iterable<string>) | undefined;
  /** called after a row changes state (queue depth may have changed) */
  onSettled?: (() => void) | undefined;
}

export interface Delivery {
  start(): void;
  /** wake a channel's loop (new row queued) */
  kick(channel: string): void;
  /** resolves once no channel loop is running (deferred rows wait for their timer) */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface Worker {
  running: Promise<void> | null;
  again: boolean;
  timer: unknown;
}

export function toNotifyError(err: unknown): NotifyError {
  if (err instanceof NotifyError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new NotifyError(message, { recoverable: true, reason: 'error', cause: err });
}

/**
 * One independent loop per channel: rows are sent in order (a firing before its resolved), each through p-retry.
 * Not recoverable → AbortError, row failed at once. Recoverable and p-retry gave up → row stays pending and is
 * tried again `laterMs` (or Retry-After) later, until it succeeds. A hung or dead channel only holds its own loop.
 */
export function createDelivery(deps: DeliveryDeps): Delivery {
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...deps.retry };
  const { outbox, clock, logger } = deps;
  const secrets = deps.secrets ?? (() => []);
  const workers = new Map<string, Worker>();
  const stopper = new AbortController();
  let started = false;

  const clean = (text: string) => redactText(text, secrets());
  const worker = (ch: string): Worker => {
    let w = workers.get(ch);
    if (!w) workers.set(ch, (w = { running: null, again: false, timer: undefined }));
    return w;
  };

  const kick = (ch: string) => {
    if (!started || stopper.signal.aborted) return;
    const w = worker(ch);
    if (w.running) {
      w.again = true;
      return;
    }
    if (w.timer !== undefined) {
      clock.clearTimeout(w.timer);
      w.timer = undefined;
    }
    w.running = drain(ch, w).finally(() => {
      w.running = null;
      if (w.again) {
        w.again = false;
        kick(ch);
      }
    });
  };

  const schedule = (ch: string, w: Worker, delayMs: number) => {
    if (w.timer !== undefined) clock.clearTimeout(w.timer);
    w.timer = clock.setTimeout(() => {
      w.timer = undefined;
      kick(ch);
    }, Math.max(0, delayMs));
  };

  async function drain(ch: string, w: Worker): Promise<void> {
    while (!stopper.signal.aborted) {
      let row: OutboxRow | undefined;
      try {
        row = outbox.head(ch);
        if (!row) return;
        const wait = row.nextAttemptAt - clock.now();
        if (wait > 0) return schedule(ch, w, wait);
        await deliver(row);
      } catch (err) {
        // a database error: do not spin; try again later
        logger.error({ channel: ch, err: clean((err as Error).message) }, 'notification delivery loop error');
        return schedule(ch, w, retry.laterMs);
      } finally {
        deps.onSettled?.();
      }
    }
  }

  async function sendOnce(channel: Channel, events: AlertEvent[]): Promise<void> {
    const ac = new AbortController();
    const onStop = () => ac.abort(stopper.signal.reason);
    stopper.signal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(
      () => ac.abort(new NotifyError(`send timed out after ${retry.attemptTimeoutMs}ms`, { recoverable: true, reason: 'timeout' })),
      retry.attemptTimeoutMs,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true });
        channel.send(events, ac.signal).then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      stopper.signal.removeEventListener('abort', onStop);
    }
  }

  async function deliver(row: OutboxRow): Promise<void> {
    const ch = row.channel;
    const channel = deps.channels.get(ch);
    if (!channel) {
      outbox.failed(row.id, `channel "${ch}" is not configured`);
      deps.metrics?.onOutcome(ch, 'failed', 0);
      logger.warn({ channel: ch, outboxId: row.id }, 'notification dropped: channel not configured');
      return;
    }
    const t0 = performance.now();
    let attempts = row.attempts;
    let attemptStart = t0;
    try {
      await pRetry(
        async () => {
          attempts += 1;
          attemptStart = performance.now();
          outbox.attempt(row.id, attempts, row.lastError ?? undefined);
          try {
            // looked up on every attempt: a reload may have replaced the channel since the row was picked
            await sendOnce(deps.channels.get(ch) ?? channel, row.events);
          } catch (err) {
            if (stopper.signal.aborted) throw err;
            const ne = toNotifyError(err);
            outbox.attempt(row.id, attempts, ne.message);
            if (!ne.recoverable) throw new AbortError(ne);
            throw ne;
          }
        },
        {
          retries: retry.retries,
          factor: 2,
          minTimeout: retry.minTimeout,
          maxTimeout: retry.maxTimeout,
          randomize: true,
          maxRetryTime: retry.maxRetryTime,
          signal: stopper.signal,
          onFailedAttempt: async ({ error, retriesLeft, retryDelay, attemptNumber }) => {
            // the last attempt of a round is not a retry: the round's outcome is counted once it settles
            if (retriesLeft > 0) deps.metrics?.onOutcome(ch, 'retry', performance.now() - attemptStart);
            const ne = toNotifyError(error);
            logger.warn(
              { channel: ch, outboxId: row.id, attempt: attemptNumber, retriesLeft, reason: ne.reason, err: clean(ne.message) },
              'notification attempt failed',
            );
            const ra = ne.retryAfterMs;
            if (ra !== undefined && ra > 0 && retriesLeft > 0) {
              // too long to wait inside this round: end it, the row is deferred by Retry-After
              if (ra > retry.maxTimeout) throw ne;
              if (ra > retryDelay) await sleep(ra - retryDelay, undefined, { signal: stopper.signal });
            }
          },
        },
      );
      outbox.delivered(row.id, clock.now());
      deps.metrics?.onOutcome(ch, 'delivered', performance.now() - t0);
      logger.info({ channel: ch, outboxId: row.id, events: row.events.length, attempts }, 'notification delivered');
    } catch (err) {
      if (stopper.signal.aborted) return; // stays pending; the next start delivers it
      const ne = toNotifyError(err);
      if (!ne.recoverable) {
        outbox.failed(row.id, ne.message);
        deps.metrics?.onOutcome(ch, 'failed', performance.now() - t0);
        logger.error({ channel: ch, outboxId: row.id, reason: ne.reason, err: clean(ne.message) }, 'notification failed (not recoverable)');
        return;
      }
      const later = Math.min(Math.max(retry.laterMs, ne.retryAfterMs ?? 0), Math.max(retry.laterMs, retry.maxDeferMs));
      outbox.defer(row.id, clock.now() + later, ne.message);
      logger.warn({ channel: ch, outboxId: row.id, attempts, retryInMs: later, err: clean(ne.message) }, 'notification still undelivered; will retry');
    }
  }

  return {
    start() {
      if (started) return;
      started = true;
      for (const ch of outbox.pendingChannels()) kick(ch);
    },
    kick,
    async idle() {
      for (;;) {
        const running = [...workers.values()].map((w) => w.running).filter((p): p is Promise<void> => p !== null);
        if (running.length === 0) return;
        await Promise.allSettled(running);
      }
    },
    async stop() {
      if (!stopper.signal.aborted) stopper.abort(new Error('notifier stopped'));
      for (const w of workers.values()) {
        if (w.timer !== undefined) clock.clearTimeout(w.timer);
        w.timer = undefined;
      }
      await Promise.allSettled([...workers.values()].map((w) => w.running));
    },
  };
}
