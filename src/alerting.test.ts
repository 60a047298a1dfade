import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWebhookSink } from '../test/support/webhook-sink.ts';
import { createAlerting } from './alerting.ts';
import { configSchema } from './config/schema.ts';
import { ManualClock } from './lib/clock.ts';
import { silentLogger } from './lib/logger.ts';
import { MetricsRegistry } from './metrics/registry.ts';
import { openDatabase } from './store/db.ts';

const metrics = () => new MetricsRegistry({ version: 't', revision: 't', nodeVersion: 't' });
const mem = (value: number) => [{ metric: 'host_memory_used_ratio', labels: {}, value }];
const rule = (channels?: string[]) => ({ alert: 'MemHigh', metric: 'host_memory_used_ratio', op: '>', threshold: 0.9, ...(channels ? { channels } : {}) });
const statuses = (body: unknown) => ((body as { status: string }).status);

test('inactive channels get nothing queued, and a "%" in a password does not stop start-up', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const config = configSchema.parse({
    channels: { hook: { type: 'webhook', url: `${sink.url}/h` }, idle: { type: 'slack', token: '', channel: '#x' }, mail: { type: 'email', url: 'smtp://u:pa%ss@127.0.0.1:9', from: 'a@b', to: ['c@d'] } },
    defaults: { channels: ['hook', 'idle'] },
    rules: [rule()],
  });
  const db = openDatabase(':memory:');
  const m = metrics();
  const alerting = createAlerting(config, { db, clock: new ManualClock(), logger: silentLogger(), metrics: m });
  alerting.start();
  t.after(() => alerting.stop());
  assert.deepEqual(alerting.channels().map((c) => `${c.name}:${c.active}`), ['hook:true', 'idle:false', 'mail:true']);
  alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  const fp = alerting.active()[0]!.fingerprint;
  assert.deepEqual(alerting.notifier.records(fp).map((r) => `${r.channel}:${r.status}`), ['hook:delivered']);
  const text = await m.registry.metrics();
  assert.ok(!/outcome="failed"/.test(text), 'an inactive channel is not counted as a failed delivery');
});

test('a resolution reaches the channel that got the firing even after a reload re-routed the rule', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const base = { channels: { a: { type: 'webhook', url: `${sink.url}/a` }, b: { type: 'webhook', url: `${sink.url}/b` } } };
  const db = openDatabase(':memory:');
  const alerting = createAlerting(configSchema.parse({ ...base, rules: [rule(['a'])] }), { db, clock: new ManualClock(), logger: silentLogger(), metrics: metrics() });
  alerting.start();
  t.after(() => alerting.stop());
  alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  alerting.applyConfig(configSchema.parse({ ...base, rules: [{ ...rule(['b']), summary: 'edited text only' }] }));
  alerting.evaluate(mem(0.5));
  await alerting.notifier.flush();
  const toA = sink.requests.filter((r) => r.path === '/a').map((r) => statuses(r.json));
  assert.deepEqual(toA, ['firing', 'resolved']);
});

test('a metric whose collector failed this cycle keeps its alerts firing instead of resolving them', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const db = openDatabase(':memory:');
  const config = configSchema.parse({ channels: { a: { type: 'webhook', url: `${sink.url}/a` } }, defaults: { channels: ['a'] }, rules: [rule()] });
  const alerting = createAlerting(config, { db, clock: new ManualClock(), logger: silentLogger(), metrics: metrics() });
  alerting.start();
  t.after(() => alerting.stop());
  alerting.evaluate(mem(0.95));
  alerting.evaluate([], new Set(['host_memory_used_ratio']));
  alerting.evaluate([], new Set(['host_memory_used_ratio']));
  await alerting.notifier.flush();
  assert.equal(alerting.active()[0]?.state, 'firing');
  assert.deepEqual(sink.requests.map((r) => statuses(r.json)), ['firing']);
  alerting.evaluate([]);
  await alerting.notifier.flush();
  assert.deepEqual(sink.requests.map((r) => statuses(r.json)), ['firing', 'resolved'], 'a series really gone resolves');
});
