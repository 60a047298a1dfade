import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBootCollector, parseBtime } from './boot.ts';
import { HOST1, signal } from './testdata/paths.ts';

test('boot collector reads btime from stat and uptime', async () => {
  const out = await createBootCollector({ paths: HOST1, platform: 'linux' }).collect(signal());
  assert.deepEqual(out.readings, [{ metric: 'host_boot_time_seconds', labels: {}, value: 1_700_000_000 }]);
  assert.deepEqual(out.summary, { bootTimeSeconds: 1_700_000_000, uptimeSeconds: 3600.25 });
  assert.throws(() => parseBtime('cpu 1 2 3\n'), /no btime/);
});
