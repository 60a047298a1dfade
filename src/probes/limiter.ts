/**
 * A bound on probes in flight (a tiny semaphore, hand-written rather than p-limit because a queued probe must
 * leave the queue when its source's timeout aborts it). FIFO.
 */
export const DEFAULT_PROBE_CONCURRENCY = 64;

export class Limiter {
  readonly max: number;
  #active = 0;
  #queue: { start: () => void }[] = [];

  constructor(max = DEFAULT_PROBE_CONCURRENCY) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
    this.max = max;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Runs `fn` once a slot is free; rejects with the signal's reason if it aborts while still queued. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#active >= this.max) await this.#wait(signal);
    else this.#active++;
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #wait(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#queue.indexOf(entry);
        if (i !== -1) this.#queue.splice(i, 1);
        reject(signal!.reason);
      };
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#queue.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    if (next) next.start(); // the slot passes straight to the next in line
    else this.#active--;
  }
}
