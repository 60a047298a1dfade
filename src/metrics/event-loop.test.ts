import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry, type RegistryContentType } from 'prom-client';
import { EventLoopLag } from './event-loop.ts';

const value = async (reg: Registry<RegistryContentType>, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await reg.metrics())?.[1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('reports lag beyond the monitor tick: about 0 when idle, the stall when the loop is blocked', async (t) => {
  const reg = new Registry<RegistryContentType>();
  const lag = new EventLoopLag(reg, 20);
  t.after(() => lag.stop());
  await sleep(300);
  lag.roll();
  const idleMax = await value(reg, 'nodejs_eventloop_lag_max_seconds');
  assert.ok(idleMax < 0.015, `idle max ${idleMax}s is not the 20 ms resolution`);

  await sleep(50);
  const until = performance.now() + 150;
  while (performance.now() < until); // block the loop for 150 ms
  await sleep(50);
  lag.roll();
  const max = await value(reg, 'nodejs_eventloop_lag_max_seconds');
  assert.ok(max > 0.1 && max < 0.2, `a 150 ms stall shows as ${max}s`);
});
