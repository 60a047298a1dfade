import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLoadCollector, parseLoadavg } from './load.ts';
import { HOST1, signal } from './testdata/paths.ts';

test('parseLoadavg reads the three averages and rejects garbage', () => {
  assert.deepEqual(parseLoadavg('1.00 2.50 3.25 1/2 3\n'), { load1: 1, load5: 2.5, load15: 3.25 });
  assert.throws(() => parseLoadavg('nope'), /unparsable loadavg/);
});

test('load collector on the testdata host', async () => {
  const out = await createLoadCollector({ paths: HOST1, platform: 'linux' }).collect(signal());
  assert.deepEqual(out.readings, [
    { metric: 'host_load1', labels: {}, value: 0.52 },
    { metric: 'host_load5', labels: {}, value: 0.58 },
    { metric: 'host_load15', labels: {}, value: 0.61 },
  ]);
  assert.deepEqual(out.summary, { load1: 0.52, load5: 0.58, load15: 0.61 });
});
