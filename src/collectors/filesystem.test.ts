import assert from 'node:assert/strict';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE } from '../config/schema.ts';
import { type FilesystemSummaryItem, type StatfsResult, createFilesystemCollector, parseMounts } from './filesystem.ts';
import { HOST1, signal } from './testdata/paths.ts';

const filters = { mount_points_exclude: new RegExp(DEFAULT_MOUNT_POINTS_EXCLUDE), fs_types_exclude: new RegExp(DEFAULT_FS_TYPES_EXCLUDE) };

test('parseMounts unescapes octal escapes and keeps the last entry of a mountpoint', () => {
  const m = parseMounts('/dev/a /data xfs rw 0 0\n/dev/b /mnt/a\\040b vfat rw 0 0\n/dev/c /data ext4 rw 0 0\n\n');
  assert.deepEqual(m, [
    { device: '/dev/b', mountpoint: '/mnt/a b', fstype: 'vfat' },
    { device: '/dev/c', mountpoint: '/data', fstype: 'ext4' },
  ]);
});

test('testdata host: proc/sysfs/overlay/docker/dev excluded, /data deduplicated, failing statfs (/missing) skipped', async () => {
  const out = await createFilesystemCollector({ paths: HOST1, platform: 'linux', ...filters }).collect(signal());
  const items = out.summary as FilesystemSummaryItem[];
  assert.deepEqual(
    items.map((i) => [i.device, i.mountpoint, i.fstype]),
    [
      ['/dev/vda1', '/', 'ext4'],
      ['/dev/vdc1', '/data', 'ext4'],
      ['/dev/sdb1', '/mnt/usb disk', 'vfat'],
    ],
  );
  for (const i of items) {
    const s = await statfs(path.join(HOST1.rootfs, i.mountpoint));
    assert.equal(i.sizeBytes, s.blocks * s.bsize, `size of ${i.mountpoint} is blocks*bsize under rootfs`);
    assert.ok(i.availBytes > 0 && i.availBytes <= i.sizeBytes);
    assert.ok(i.usedPercent >= 0 && i.usedPercent <= 100);
  }
  assert.equal(out.readings.length, 9);
  const used = out.readings.find((r) => r.metric === 'host_filesystem_used_ratio' && r.labels.mountpoint === '/data');
  assert.deepEqual(used?.labels, { device: '/dev/vdc1', mountpoint: '/data', fstype: 'ext4' });
});

test('sizes from statfs: size = blocks*bsize, avail = bavail*bsize, used_ratio = 1 - avail/size, 0 for size 0', async () => {
  const fake = async (p: string): Promise<StatfsResult> => (p.endsWith('data') ? { blocks: 1000, bavail: 250, bsize: 4096 } : { blocks: 0, bavail: 0, bsize: 4096 });
  const out = await createFilesystemCollector({ paths: HOST1, platform: 'linux', ...filters, statfs: fake }).collect(signal());
  const data = (out.summary as FilesystemSummaryItem[]).find((i) => i.mountpoint === '/data');
  assert.deepEqual(data, { device: '/dev/vdc1', mountpoint: '/data', fstype: 'ext4', sizeBytes: 4_096_000, availBytes: 1_024_000, usedPercent: 75 });
  const root = out.readings.find((r) => r.metric === 'host_filesystem_used_ratio' && r.labels.mountpoint === '/');
  assert.equal(root?.value, 0);
});

test('a statfs that hangs skips that mount only, and is not asked again until it returns', async () => {
  let release: (() => void) | undefined;
  const calls: string[] = [];
  const hanging = async (p: string): Promise<StatfsResult> => {
    calls.push(p);
    if (p.endsWith('data') && release === undefined) await new Promise<void>((r) => (release = r));
    return { blocks: 10, bavail: 5, bsize: 1024 };
  };
  const c = createFilesystemCollector({ paths: HOST1, platform: 'linux', ...filters, statfs: hanging, statfsTimeoutMs: 20 });
  const mps = async () => ((await c.collect(signal())).summary as FilesystemSummaryItem[]).map((i) => i.mountpoint);
  assert.deepEqual(await mps(), ['/', '/mnt/usb disk', '/missing']);
  assert.deepEqual(await mps(), ['/', '/mnt/usb disk', '/missing']);
  assert.equal(calls.filter((p) => p.endsWith('data')).length, 1, 'the stuck mount is not statted again');
  release?.();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await mps(), ['/', '/data', '/mnt/usb disk', '/missing']);
  assert.equal(calls.filter((p) => p.endsWith('data')).length, 2);
});

test('falls back to <procfs>/mounts when <procfs>/1/mounts is missing', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prodpulse-fs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'mounts'), '/dev/x /data ext4 rw 0 0\nproc /proc proc rw 0 0\n');
  const out = await createFilesystemCollector({ paths: { ...HOST1, procfs: dir }, platform: 'linux', ...filters }).collect(signal());
  assert.deepEqual((out.summary as FilesystemSummaryItem[]).map((i) => i.mountpoint), ['/data']);
});
