/**
 * bcrypt comparisons on a worker thread. bcrypt costs ~50 ms at cost 10 and 4× that at 12; on the thread that
 * serves /metrics (even bcryptjs' async API, which only slices the work) a few bad logins a second stall every
 * scrape. Here the thread that serves HTTP only posts a message and awaits the answer. At most `maxQueued`
 * comparisons wait at once; past that `compare` answers 'busy' at once instead of queueing without bound.
 */
import { Worker } from 'node:worker_threads';
import type { FromBcrypt, ToBcrypt } from './bcrypt-worker-entry.ts';

export type CompareResult = 'match' | 'mismatch' | 'busy';

export interface PasswordVerifier {
  compare(pass: string, hash: string): Promise<CompareResult>;
  /** comparisons run so far (tests check the caches skip bcrypt) */
  readonly runs: number;
  close(): Promise<void>;
}

export function createPasswordVerifier(opts: { maxQueued?: number } = {}): PasswordVerifier {
  const maxQueued = opts.maxQueued ?? 32;
  const pending = new Map<number, (r: CompareResult) => void>();
  let worker: Worker | undefined;
  let nextId = 1;
  let runs = 0;
  let idle: NodeJS.Timeout | undefined;
  // an idle thread goes after a while (its message port would otherwise keep a finished process alive)
  const stopWhenIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      if (pending.size === 0 && worker) {
        void worker.terminate();
        worker = undefined;
      }
    }, 5_000);
    idle.unref();
  };

  const start = (): Worker => {
    const w = new Worker(new URL('./bcrypt-worker-entry.ts', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    w.unref(); // never keeps the process up on its own
    w.on('message', (m: FromBcrypt) => {
      const done = pending.get(m.id);
      pending.delete(m.id);
      done?.(m.ok ? 'match' : 'mismatch');
      if (pending.size === 0) stopWhenIdle();
    });
    const fail = () => {
      if (worker === w) worker = undefined;
      for (const done of pending.values()) done('mismatch');
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', fail);
    return w;
  };

  return {
    get runs() {
      return runs;
    },
    compare(pass, hash) {
      if (pending.size >= maxQueued) return Promise.resolve('busy');
      worker ??= start();
      const id = nextId++;
      runs += 1;
      return new Promise<CompareResult>((resolve) => {
        pending.set(id, resolve);
        worker!.postMessage({ id, pass, hash } satisfies ToBcrypt);
      });
    },
    async close() {
      clearTimeout(idle);
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}

/** bcrypt's cost factor from a `$2y$12$…` hash; 10 when it cannot be read. */
export function bcryptCost(hash: string): number {
  const m = /^\$2[aby]?\$(\d\d)\$/.exec(hash);
  return m ? Number(m[1]) : 10;
}

/**
 * A hash no password matches, at the given cost: an unknown user name is compared against it, so it takes as long
 * as the slowest configured user and timing does not tell which names exist. (The checksum part is arbitrary;
 * bcrypt still runs the full cost before comparing it.)
 */
export function dummyHash(cost: number): string {
  return `$2b$${String(Math.min(31, Math.max(4, cost))).padStart(2, '0')}$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy`;
}
