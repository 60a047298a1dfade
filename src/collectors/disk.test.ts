import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DISK_DEVICE_EXCLUDE } from '../config/schema.ts';
import { createDiskCollector, parseDiskstats } from './disk.ts';
import { HOST1, signal } from './testdata/paths.ts';

test('default exclude drops loop, ram, zram and partitions; sectors are 512 bytes', async () => {
  const out = await createDiskCollector({ paths: HOST1, platform: 'linux', exclude: new RegExp(DEFAULT_DISK_DEVICE_EXCLUDE) }).collect(signal());
  assert.deepEqual(out.summary, [
    { device: 'vda', readBytes: 2_517_706 * 512, writtenBytes: 3_445_824 * 512 },
    { device: 'nvme0n1', readBytes: 2000 * 512, writtenBytes: 1000 * 512 },
    { device: 'dm-0', readBytes: 100 * 512, writtenBytes: 300 * 512 },
  ]);
  assert.deepEqual(out.readings.slice(0, 2), [
    { metric: 'host_disk_read_bytes_total', labels: { device: 'vda' }, value: 2_517_706 * 512 },
    { metric: 'host_disk_written_bytes_total', labels: { device: 'vda' }, value: 3_445_824 * 512 },
  ]);
});

test('include narrows to matching devices; with no filter every line counts', async () => {
  const inc = await createDiskCollector({ paths: HOST1, platform: 'linux', include: /^vd/ }).collect(signal());
  assert.deepEqual((inc.summary as { device: string }[]).map((d) => d.device), ['vda', 'vda1']);
  const all = await createDiskCollector({ paths: HOST1, platform: 'linux' }).collect(signal());
  assert.equal((all.summary as unknown[]).length, 8);
  assert.deepEqual(parseDiskstats('garbage\n 1 2\n'), []);
});
