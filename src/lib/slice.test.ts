import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPacer, mapPaced, neverDue, type Pacer } from './slice.ts';

async function count(n: number, log: string[], pacer: Pacer): Promise<number> {
  for (let i = 0; i < n; i++) {
    log.push(`step${i}`);
    if (pacer.due()) await pacer.yield();
  }
  return n;
}

test('with neverDue every step runs in one go: the effects are done when the call returns', async () => {
  const log: string[] = [];
  const p = count(3, log, neverDue);
  assert.deepEqual(log, ['step0', 'step1', 'step2']);
  assert.equal(await p, 3);
});

test('a paced function lets queued callbacks run once a slice is spent, and not before', async () => {
  let t = 0;
  const pacer = createPacer(2, () => t);
  const log: string[] = [];
  async function work(): Promise<string> {
    for (let i = 0; i < 6; i++) {
      log.push(`step${i}`);
      t += 1; // each step costs 1 ms on the fake clock: a pause after every second step
      if (i === 0) setImmediate(() => log.push('io'));
      if (pacer.due()) await pacer.yield();
    }
    return 'done';
  }
  assert.equal(await work(), 'done');
  // the callback queued during step0 runs at the first pause (after step1), not at the end
  assert.deepEqual(log, ['step0', 'step1', 'io', 'step2', 'step3', 'step4', 'step5']);
});

test('a pacer never yields while the slice has budget left', async () => {
  const pacer = createPacer(1_000, () => 0);
  const log: string[] = [];
  setImmediate(() => log.push('io'));
  await count(50, log, pacer);
  assert.equal(log.indexOf('io'), -1, 'no pause happened during the steps');
  await new Promise((r) => setImmediate(r));
  assert.equal(log.at(-1), 'io');
});

test('mapPaced maps in order and gives queued callbacks a turn between slices', async () => {
  let t = 0;
  const log: string[] = [];
  setImmediate(() => log.push('io'));
  const out = await mapPaced([1, 2, 3, 4], (n) => {
    t += 1;
    log.push(`map${n}`);
    return n * 10;
  }, createPacer(2, () => t));
  assert.deepEqual(out, [10, 20, 30, 40]);
  assert.deepEqual(log, ['map1', 'map2', 'io', 'map3', 'map4']);
});
