import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry, type RegistryContentType } from 'prom-client';
import { EventLoopLag, type DelayHistogram } from './event-loop.ts';

const value = async (reg: Registry<RegistryContentType>, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await reg.metrics())?.[1]);

/** A histogram with fixed figures in nanoseconds, as Node's monitor reports them (each includes the tick). */
function fixed(ns: { min: number; max: number; mean: number; stddev: number; p: Record<number, number> }, count = 10) {
  let resets = 0;
  const h = {
    count,
    ...ns,
    percentile: (p: number) => ns.p[p] ?? 0,
    reset: () => void resets++,
    enable: () => true,
    disable: () => true,
  } as unknown as DelayHistogram;
  return { h, resets: () => resets };
}

test('reports lag beyond the monitor tick: the tick itself is not lag, a stall is', async (t) => {
  const reg = new Registry<RegistryContentType>();
  const ms = 1e6;
  const { h, resets } = fixed({ min: 20 * ms, max: 170 * ms, mean: 25 * ms, stddev: 3 * ms, p: { 50: 20.5 * ms, 90: 22 * ms, 99: 150 * ms } });
  const lag = new EventLoopLag(reg, 20, h);
  t.after(() => lag.stop());
  lag.roll();
  assert.equal(await value(reg, 'nodejs_eventloop_lag_min_seconds'), 0, 'a delay of exactly the tick is no lag');
  assert.equal(await value(reg, 'nodejs_eventloop_lag_max_seconds'), 0.15, 'a 150 ms stall beyond the 20 ms tick');
  assert.equal(await value(reg, 'nodejs_eventloop_lag_mean_seconds'), 0.005);
  assert.equal(await value(reg, 'nodejs_eventloop_lag_stddev_seconds'), 0.003, 'spread is not shifted by the tick');
  assert.equal(await value(reg, 'nodejs_eventloop_lag_p50_seconds'), 0.0005);
  assert.equal(await value(reg, 'nodejs_eventloop_lag_p99_seconds'), 0.13);
  assert.equal(resets(), 1, 'each roll starts a new interval');
});

test('an interval without samples keeps the last figures', async (t) => {
  const reg = new Registry<RegistryContentType>();
  const { h } = fixed({ min: 0, max: 0, mean: 0, stddev: 0, p: {} }, 0);
  const lag = new EventLoopLag(reg, 20, h);
  t.after(() => lag.stop());
  lag.roll();
  assert.equal(await value(reg, 'nodejs_eventloop_lag_max_seconds'), 0);
});

test('with the real monitor, a blocked loop shows as lag (no bound on how much: timings live in bench/)', async (t) => {
  const reg = new Registry<RegistryContentType>();
  const lag = new EventLoopLag(reg, 10);
  t.after(() => lag.stop());
  await new Promise((r) => setTimeout(r, 30));
  const until = performance.now() + 100;
  while (performance.now() < until); // block the loop
  await new Promise((r) => setTimeout(r, 30));
  lag.roll();
  assert.ok((await value(reg, 'nodejs_eventloop_lag_max_seconds')) > 0, 'a 100 ms block is seen');
});
