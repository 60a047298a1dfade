import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSlicer, mapSliced, runSliced, runToEnd, type Steps } from './slice.ts';

function* count(n: number, log: string[]): Steps<number> {
  for (let i = 0; i < n; i++) {
    log.push(`step${i}`);
    yield;
  }
  return n;
}

test('runToEnd runs every step in one go and returns the result', () => {
  const log: string[] = [];
  assert.equal(runToEnd(count(3, log)), 3);
  assert.deepEqual(log, ['step0', 'step1', 'step2']);
});

test('runSliced lets queued callbacks run once a slice is spent, and not before', async () => {
  let t = 0;
  const slicer = createSlicer(2, () => t);
  const log: string[] = [];
  function* work(): Steps<string> {
    for (let i = 0; i < 6; i++) {
      log.push(`step${i}`);
      t += 1; // each step costs 1 ms on the fake clock: a pause after every second step
      if (i === 0) setImmediate(() => log.push('io'));
      yield;
    }
    return 'done';
  }
  assert.equal(await runSliced(work(), slicer), 'done');
  // the callback queued during step0 runs at the first pause (after step1), not at the end
  assert.deepEqual(log, ['step0', 'step1', 'io', 'step2', 'step3', 'step4', 'step5']);
});

test('runSliced never pauses while the slice has budget left', async () => {
  const slicer = createSlicer(1_000, () => 0);
  const log: string[] = [];
  setImmediate(() => log.push('io'));
  await runSliced(count(50, log), slicer);
  assert.equal(log.indexOf('io'), -1, 'no pause happened during the steps');
  await new Promise((r) => setImmediate(r));
  assert.equal(log.at(-1), 'io');
});

test('mapSliced maps in order and gives queued callbacks a turn between slices', async () => {
  let t = 0;
  const log: string[] = [];
  setImmediate(() => log.push('io'));
  const out = await mapSliced([1, 2, 3, 4], (n) => {
    t += 1;
    log.push(`map${n}`);
    return n * 10;
  }, createSlicer(2, () => t));
  assert.deepEqual(out, [10, 20, 30, 40]);
  assert.deepEqual(log, ['map1', 'map2', 'io', 'map3', 'map4']);
});
