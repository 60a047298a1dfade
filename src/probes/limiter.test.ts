import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Limiter } from './limiter.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

test('at most max run at once; the rest wait in order', async () => {
  const lim = new Limiter(2);
  const gates = [deferred(), deferred(), deferred()];
  const started: number[] = [];
  const runs = gates.map((g, i) => lim.run(async () => {
    started.push(i);
    await g.promise;
  }));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  assert.equal(lim.active, 2);
  assert.equal(lim.queued, 1);
  gates[0]!.resolve();
  await runs[0];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  gates[1]!.resolve();
  gates[2]!.resolve();
  await Promise.all(runs);
  assert.equal(lim.active, 0);
});

test('an abort while queued leaves the queue and frees nothing it did not hold', async () => {
  const lim = new Limiter(1);
  const gate = deferred();
  const first = lim.run(() => gate.promise);
  const ac = new AbortController();
  let ran = false;
  const queued = lim.run(async () => void (ran = true), ac.signal);
  ac.abort(new Error('too late'));
  await assert.rejects(queued, /too late/);
  assert.equal(lim.queued, 0);
  gate.resolve();
  await first;
  assert.equal(ran, false);
  assert.equal(lim.active, 0);
  await lim.run(async () => undefined);
});

test('a throwing task releases its slot', async () => {
  const lim = new Limiter(1);
  await assert.rejects(lim.run(async () => { throw new Error('x'); }), /x/);
  assert.equal(lim.active, 0);
});
