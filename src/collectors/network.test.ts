import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_NETWORK_DEVICE_EXCLUDE } from '../config/schema.ts';
import { createNetworkCollector, parseNetDev } from './network.ts';
import { HOST1, signal } from './testdata/paths.ts';

test('default exclude drops lo; a counter glued to the colon still parses', async () => {
  const out = await createNetworkCollector({ paths: HOST1, platform: 'linux', exclude: new RegExp(DEFAULT_NETWORK_DEVICE_EXCLUDE) }).collect(signal());
  assert.deepEqual(out.summary, [
    { device: 'eth0', receiveBytes: 328_577_384, transmitBytes: 396_540 },
    { device: 'docker0', receiveBytes: 1000, transmitBytes: 2000 },
  ]);
  assert.deepEqual(out.readings.slice(0, 2), [
    { metric: 'host_network_receive_bytes_total', labels: { device: 'eth0' }, value: 328_577_384 },
    { metric: 'host_network_transmit_bytes_total', labels: { device: 'eth0' }, value: 396_540 },
  ]);
});

test('include and exclude together', async () => {
  const out = await createNetworkCollector({ paths: HOST1, platform: 'linux', include: /^(eth|lo)/, exclude: /^lo$/ }).collect(signal());
  assert.deepEqual((out.summary as { device: string }[]).map((d) => d.device), ['eth0']);
  assert.deepEqual(parseNetDev('Inter-| Receive\n face |bytes\n'), []);
});
