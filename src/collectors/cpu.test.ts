import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Reading } from '../snapshot/snapshot.ts';
import { type CpuSummary, createCpuCollector, cpuUsage, parseProcStatCpu } from './cpu.ts';
import { HOST1, signal } from './testdata/paths.ts';

const usage = (rs: Reading[], cpu: string) => rs.find((r) => r.metric === 'host_cpu_usage_ratio' && r.labels.cpu === cpu)?.value;
const close = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('parseProcStatCpu reads the aggregate and per-core lines, eight modes, ignoring guest', () => {
  const t = parseProcStatCpu('cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 1 1 1 1 1 1 1 1 1\nintr 5\n');
  assert.deepEqual([...t.keys()], ['all', '0']);
  assert.deepEqual(t.get('all'), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.throws(() => parseProcStatCpu('intr 5\n'), /no aggregate cpu line/);
});

test('cpuUsage is 1 - Δ(idle+iowait)/Δtotal, undefined when no tick passed', () => {
  close(cpuUsage([10, 0, 10, 70, 10, 0, 0, 0]), 0.2);
  close(cpuUsage([20, 0, 10, 80, 10, 0, 0, 0], [10, 0, 10, 70, 10, 0, 0, 0]), 0.5);
  assert.equal(cpuUsage([1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]), undefined);
});

test('first collect uses since-boot totals; the next uses the delta; no tick repeats the last value', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prodpulse-cpu-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const stat = path.join(dir, 'stat');
  await writeFile(stat, 'cpu  1000 100 500 8000 200 50 50 100 30 0\ncpu0 600 50 300 3900 100 25 25 0 30 0\ncpu1 400 50 200 4100 100 25 25 100 0 0\nbtime 1\n');
  const c = createCpuCollector({ paths: { ...HOST1, procfs: dir }, platform: 'linux' });

  const first = await c.collect(signal());
  close(usage(first.readings, 'all'), 0.18);
  close(usage(first.readings, '0'), 0.2);
  close(usage(first.readings, '1'), 0.16);
  assert.deepEqual(first.summary as CpuSummary, {
    usagePercent: 18,
    cores: [
      { cpu: '0', usagePercent: 20 },
      { cpu: '1', usagePercent: 16 },
    ],
    count: 2,
  });
  const secs = first.readings.filter((r) => r.metric === 'host_cpu_seconds_total');
  assert.equal(secs.length, 16, 'eight modes for each of two cores, none for cpu="all"');
  assert.equal(secs.find((r) => r.labels.cpu === '0' && r.labels.mode === 'user')?.value, 6);
  assert.equal(secs.find((r) => r.labels.cpu === '1' && r.labels.mode === 'steal')?.value, 1);
  assert.equal(first.readings.find((r) => r.metric === 'host_cpus')?.value, 2);

  // +400 ticks overall of which 100 idle/iowait
  await writeFile(stat, 'cpu  1250 100 550 8080 220 50 50 100 30 0\ncpu0 700 50 350 3940 110 25 25 0 30 0\ncpu1 550 50 200 4140 110 25 25 100 0 0\nbtime 1\n');
  const second = await c.collect(signal());
  close(usage(second.readings, 'all'), 0.75);
  close(usage(second.readings, '0'), 0.75);
  close(usage(second.readings, '1'), 0.75);

  const third = await c.collect(signal());
  close(usage(third.readings, 'all'), 0.75);
});

test('testdata host: two cores, usage in [0,1]', async () => {
  const out = await createCpuCollector({ paths: HOST1, platform: 'linux' }).collect(signal());
  close(usage(out.readings, 'all'), 0.18);
});

test('an aborted signal rejects the read', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(createCpuCollector({ paths: HOST1, platform: 'linux' }).collect(ac.signal), { name: 'AbortError' });
});
