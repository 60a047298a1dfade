import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../test/support/wait.ts';
import { startWebhookSink } from '../test/support/webhook-sink.ts';
import { createAlerting } from './alerting.ts';
import { createChannelWorker } from './notify/channels/remote.ts';
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
  await alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  const fp = alerting.active()[0]!.fingerprint;
  assert.deepEqual(alerting.notifier.records(fp).map((r) => `${r.channel}:${r.status}`), ['hook:delivered']);
  const text = await m.registry.metrics();
  // every configured channel's outcomes start at 0; none of them may have counted a failure
  assert.match(text, /prodpulse_notifications_total\{channel="idle",outcome="failed"\} 0\n/);
  assert.ok(!/outcome="failed"\} [1-9]/.test(text), 'an inactive channel is not counted as a failed delivery');
});

test('a resolution reaches the channel that got the firing even after a reload re-routed the rule', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const base = { channels: { a: { type: 'webhook', url: `${sink.url}/a` }, b: { type: 'webhook', url: `${sink.url}/b` } } };
  const db = openDatabase(':memory:');
  const alerting = createAlerting(configSchema.parse({ ...base, rules: [rule(['a'])] }), { db, clock: new ManualClock(), logger: silentLogger(), metrics: metrics() });
  alerting.start();
  t.after(() => alerting.stop());
  await alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  alerting.applyConfig(configSchema.parse({ ...base, rules: [{ ...rule(['b']), summary: 'edited text only' }] }));
  await alerting.evaluate(mem(0.5));
  await alerting.notifier.flush();
  const toA = sink.requests.filter((r) => r.path === '/a').map((r) => statuses(r.json));
  assert.deepEqual(toA, ['firing', 'resolved']);
});

test('a reload that removes a rule resolves its firing alerts through the normal path (resolved notice sent)', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const base = { channels: { a: { type: 'webhook', url: `${sink.url}/a` } }, defaults: { channels: ['a'] } };
  const db = openDatabase(':memory:');
  const m = metrics();
  const alerting = createAlerting(configSchema.parse({ ...base, rules: [rule()] }), { db, clock: new ManualClock(), logger: silentLogger(), metrics: m });
  alerting.start();
  t.after(() => alerting.stop());
  await alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  const fp = alerting.active()[0]!.fingerprint;
  await alerting.applyConfig(configSchema.parse({ ...base, rules: [] }));
  await alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  assert.deepEqual(sink.requests.filter((r) => r.path === '/a').map((r) => statuses(r.json)), ['firing', 'resolved']);
  assert.deepEqual(alerting.active(), []);
  assert.equal(alerting.notifier.records(fp).at(-1)?.status, 'delivered');
  assert.doesNotMatch(await m.registry.metrics(), /prodpulse_alerts\{alertname="MemHigh"[^}]*state="firing"\} 1/);
});

test('a reload to a config without the rule and its channels, then back: the alert fires again with a firing notice', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const full = { channels: { a: { type: 'webhook', url: `${sink.url}/a` } }, defaults: { channels: ['a'] }, rules: [rule()] };
  const db = openDatabase(':memory:');
  const alerting = createAlerting(configSchema.parse(full), { db, clock: new ManualClock(), logger: silentLogger(), metrics: metrics() });
  alerting.start();
  t.after(() => alerting.stop());
  await alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  await alerting.applyConfig(configSchema.parse({ sampling: {} }));
  await alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  await alerting.applyConfig(configSchema.parse(full));
  await alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  assert.deepEqual(sink.requests.filter((r) => r.path === '/a').map((r) => statuses(r.json)), ['firing', 'firing']);
});

test('a metric whose collector failed this cycle keeps its alerts firing instead of resolving them', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const db = openDatabase(':memory:');
  const config = configSchema.parse({ channels: { a: { type: 'webhook', url: `${sink.url}/a` } }, defaults: { channels: ['a'] }, rules: [rule()] });
  const alerting = createAlerting(config, { db, clock: new ManualClock(), logger: silentLogger(), metrics: metrics() });
  alerting.start();
  t.after(() => alerting.stop());
  await alerting.evaluate(mem(0.95));
  await alerting.evaluate([], new Set(['host_memory_used_ratio']));
  await alerting.evaluate([], new Set(['host_memory_used_ratio']));
  await alerting.notifier.flush();
  assert.equal(alerting.active()[0]?.state, 'firing');
  assert.deepEqual(sink.requests.map((r) => statuses(r.json)), ['firing']);
  await alerting.evaluate([]);
  await alerting.notifier.flush();
  assert.deepEqual(sink.requests.map((r) => statuses(r.json)), ['firing', 'resolved'], 'a series really gone resolves');
});

test('evaluate with a pacer: other callbacks run during a large evaluation; a reload arriving meanwhile waits for it', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const db = openDatabase(':memory:');
  const base = { channels: { a: { type: 'webhook', url: `${sink.url}/a` } }, defaults: { channels: ['a'] } };
  const alerting = createAlerting(configSchema.parse({ ...base, rules: [rule()] }), { db, clock: new ManualClock(), logger: silentLogger(), metrics: metrics() });
  alerting.start();
  t.after(() => alerting.stop());
  const many = Array.from({ length: 3000 }, (_, i) => ({ metric: 'host_memory_used_ratio', labels: { i: String(i) }, value: 0.95 }));
  // a chain of event-loop turns that records itself; it stops with the test even when an assertion fails
  const order: string[] = [];
  let ticking = true;
  t.after(() => void (ticking = false));
  const tick = () => {
    if (!ticking) return;
    order.push('turn');
    setImmediate(tick);
  };
  setImmediate(tick);
  let steps = 0;
  let pauses = 0;
  // a pacer whose budget is spent after every 100 steps: deterministic pauses
  const pacer = { due: () => ++steps % 100 === 0, yield: () => (pauses++, new Promise<void>((r) => setImmediate(r))) };
  const run = alerting.evaluate(many, undefined, pacer).then(() => void order.push('done'));
  await new Promise<void>((r) => setImmediate(r));
  assert.throws(() => alerting.applyConfig(configSchema.parse({ ...base, rules: [rule(), rule()] })), /duplicate alert name/, 'invalid rules are refused at once');
  const reload = alerting.applyConfig(configSchema.parse({ ...base, rules: [] }));
  await run;
  assert.equal(alerting.active().length, 3000, 'the evaluation finished on the rules it started with');
  await reload;
  ticking = false;
  assert.ok(order.includes('turn') && order.indexOf('turn') < order.indexOf('done'), 'event-loop turns ran while the evaluation was in progress');
  assert.ok(pauses >= 3000 / 100, `the evaluation gave way at every spent budget (${pauses} pauses)`);
  assert.equal(alerting.active().length, 0, 'the reload applied after it: the rule is gone');
  await alerting.notifier.flush();
  const bodies = sink.requests.filter((r) => r.path === '/a').map((r) => r.json as { status: string; alerts: unknown[] });
  assert.deepEqual(bodies.map((b) => [b.status, b.alerts.length]), [['firing', 3000]], 'one grouped message so far');
  await alerting.evaluate(mem(0.5));
  await alerting.notifier.flush();
  assert.deepEqual(sink.requests.filter((r) => r.path === '/a').map((r) => (r.json as { status: string }).status), ['firing', 'resolved'], 'the removed rule resolved its alerts');
});

test('defaults.delivery_thread: worker sends from the channel thread, main does not start it, and a reload switches', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const channelWorker = createChannelWorker(silentLogger());
  t.after(() => channelWorker.stop());
  const cfg = (thread: 'worker' | 'main') =>
    configSchema.parse({ channels: { a: { type: 'webhook', url: `${sink.url}/a` } }, defaults: { channels: ['a'], delivery_thread: thread }, rules: [rule()] });
  const alerting = createAlerting(cfg('main'), { db: openDatabase(':memory:'), clock: new ManualClock(), logger: silentLogger(), metrics: metrics(), channelWorker });
  alerting.start();
  t.after(() => alerting.stop());
  await alerting.evaluate(mem(0.95));
  await alerting.notifier.flush();
  assert.equal(sink.requests.length, 1);
  assert.equal(channelWorker.running(), false, 'main: no thread started');
  await alerting.applyConfig(cfg('worker'));
  assert.equal(channelWorker.running(), true, 'worker: the thread starts with the active channel');
  await alerting.evaluate(mem(0.5));
  await alerting.notifier.flush();
  assert.deepEqual(sink.requests.map((r) => (r.json as { status: string }).status), ['firing', 'resolved'], 'the resolution went out from the worker');
  await alerting.applyConfig(cfg('main'));
  await waitFor('the channel thread to stop after the switch back to main', () => !channelWorker.running());
});

test('alerts carry instance = the host name; after a restart on the same database the fingerprint is the same and nothing is sent again', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const dir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'prodpulse-alerting-'));
  const file = `${dir}/state.db`;
  const config = configSchema.parse({ channels: { hook: { type: 'webhook', url: `${sink.url}/h` } }, defaults: { channels: ['hook'] }, external_labels: { env: 'prod' }, rules: [rule()] });
  const run = async () => {
    const db = openDatabase(file);
    const alerting = createAlerting(config, { db, clock: new ManualClock(), logger: silentLogger(), metrics: metrics(), hostname: 'web-9', listenPort: 9555 });
    alerting.start();
    await alerting.evaluate(mem(0.95));
    await alerting.notifier.flush();
    const fp = alerting.active()[0]!.fingerprint;
    const labels = alerting.active()[0]!.labels;
    assert.equal(alerting.externalUrl(), 'http://web-9:9555');
    await alerting.stop();
    db.close();
    return { fp, labels };
  };
  const first = await run();
  assert.deepEqual(first.labels, { instance: 'web-9', env: 'prod', alertname: 'MemHigh', severity: 'warning' });
  assert.equal(sink.requests.length, 1);
  const second = await run();
  assert.equal(second.fp, first.fp, 'same fingerprint after a restart');
  assert.equal(sink.requests.length, 1, 'a still-firing alert is not notified again after a restart');
});
