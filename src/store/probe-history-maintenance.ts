import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { ProbeHistoryRepo } from './probe-history-repo.ts';

export interface MaintenanceOptions {
  clock: Clock;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** how often buffered results are written (default 1 s) */
  flushEveryMs?: number;
  /** how often expired history is deleted (default 60 s); each run deletes chunk by chunk, a turn of the loop between */
  pruneEveryMs?: number;
}

export interface Maintenance {
  /** stops the timers and writes what is still buffered */
  stop(): void;
  /** resolves when the prune run in progress (if any) has finished (tests, shutdown) */
  idle(): Promise<void>;
}

/**
 * The probe history's timers: flush() every second (one transaction for whatever the probes produced meanwhile)
 * and prune() every minute, repeated while it reports more, giving the event loop a turn between chunks so a
 * scrape never waits behind a long delete. A failing flush keeps its rows buffered (bounded) and is logged at the
 * start of a failure streak and every 60th failure after.
 */
export function startProbeHistoryMaintenance(history: ProbeHistoryRepo, opts: MaintenanceOptions): Maintenance {
  const flushEvery = opts.flushEveryMs ?? 1000;
  const pruneEvery = opts.pruneEveryMs ?? 60_000;
  let stopped = false;
  let failures = 0;
  let flushTimer: unknown;
  let pruneTimer: unknown;
  let pruning: Promise<void> = Promise.resolve();

  const flush = () => {
    try {
      history.flush();
      if (failures > 0) opts.logger.warn({ failures }, 'probe history writes work again');
      failures = 0;
    } catch (err) {
      if (failures++ % 60 === 0)
        opts.logger.error({ err: { message: (err as Error).message }, buffered: history.stats().buffered, failures }, 'probe history flush failed; results stay buffered');
    }
  };
  const scheduleFlush = () => {
    flushTimer = opts.clock.setTimeout(() => {
      flush();
      if (!stopped) scheduleFlush();
    }, flushEvery);
  };
  const prune = async () => {
    try {
      while (!stopped && history.prune().more) await nextTurn();
    } catch (err) {
      opts.logger.error({ err: { message: (err as Error).message } }, 'probe history retention failed');
    }
  };
  const schedulePrune = () => {
    pruneTimer = opts.clock.setTimeout(() => {
      pruning = prune().finally(() => {
        if (!stopped) schedulePrune();
      });
    }, pruneEvery);
  };
  scheduleFlush();
  schedulePrune();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      opts.clock.clearTimeout(flushTimer);
      opts.clock.clearTimeout(pruneTimer);
      flush();
    },
    idle: () => pruning,
  };
}
