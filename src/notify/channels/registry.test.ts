import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelSchema } from '../../config/schema.ts';
import { CHANNEL_KINDS, resendPolicy } from './registry.ts';

test('one descriptor per channel type of the config schema, each with its own schema', () => {
  const types = channelSchema.options.map((o) => o.shape.type.value).sort();
  assert.deepEqual(Object.keys(CHANNEL_KINDS).sort(), types);
  for (const [type, kind] of Object.entries(CHANNEL_KINDS)) {
    assert.equal(kind.type, type);
    assert.ok(kind.description.length > 0);
    assert.equal(kind.schema.safeParse({ type: 'not-' + type }).success, false);
  }
  assert.equal(CHANNEL_KINDS.webhook.schema.safeParse({ type: 'webhook', url: 'http://127.0.0.1:1/x' }).success, true);
});

test('policies: only Alertmanager always gets resolved notices and re-sends firing alerts', () => {
  assert.deepEqual(Object.entries(CHANNEL_KINDS).filter(([, k]) => k.alwaysSendsResolved).map(([t]) => t), ['alertmanager']);
  assert.deepEqual(resendPolicy({ type: 'alertmanager', url: 'http://am:9093', resend_interval: 60_000 }), { resendIntervalMs: 60_000 });
  assert.deepEqual(resendPolicy({ type: 'webhook', url: 'http://127.0.0.1:1/x', headers: {} }), {});
});
