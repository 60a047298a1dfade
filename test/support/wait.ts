import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it holds, then returns; throws naming `what` (and `context()`, e.g. a child's output) when
 * it has not held within `limitMs`. A bound on waiting, never a timing assertion: the check is what is asserted.
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, limitMs = 10_000, context: () => string | undefined = () => undefined): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) {
      const extra = context();
      throw new Error(`timed out after ${limitMs} ms waiting for ${what}${extra ? `\n${extra}` : ''}`);
    }
    await sleep(20);
  }
}
