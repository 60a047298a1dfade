import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWebhookSink } from '../../../test/support/webhook-sink.ts';
import { firing } from '../../../test/support/events.ts';
import { createLogger, silentLogger } from '../../lib/logger.ts';
import { NotifyError } from '../types.ts';
import { createChannelWorker } from './remote.ts';

const NOW = Date.UTC(2026, 0, 1);

test('a channel on the worker thread delivers, and its failures come back as NotifyErrors (recoverable or not, Retry-After)', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const worker = createChannelWorker(silentLogger());
  t.after(() => worker.stop());
  const channels = worker.configure([['hook', { type: 'webhook', url: `${sink.url}/hook`, headers: { authorization: 'Bearer s3cr3t-value' } }]], { version: 't' });
  const hook = channels.get('hook')!;
  assert.equal(hook.type, 'webhook');
  const events = Array.from({ length: 3 }, (_, i) => firing({ alert: 'Remote', labels: { i: String(i) }, summary: `n ${i} ✓` }, NOW));

  await hook.send(events, new AbortController().signal);
  const body = sink.requests.at(-1)!.json as { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] };
  assert.deepEqual(body.alerts.map((a) => a.labels.i), ['0', '1', '2'], 'the events crossed the thread intact');
  assert.equal(body.alerts[2]!.annotations.summary, 'n 2 ✓');
  assert.equal(sink.requests.at(-1)!.headers.authorization, 'Bearer s3cr3t-value');

  sink.script({ status: 400, body: 'bad' });
  const permanent = await hook.send(events, new AbortController().signal).then(() => undefined, (e: unknown) => e);
  assert.ok(permanent instanceof NotifyError, String(permanent));
  assert.equal(permanent.recoverable, false);

  sink.script({ status: 429, body: 'slow down', headers: { 'retry-after': '7' } });
  const limited = await hook.send(events, new AbortController().signal).then(() => undefined, (e: unknown) => e);
  assert.ok(limited instanceof NotifyError);
  assert.equal(limited.recoverable, true);
  assert.equal(limited.retryAfterMs, 7000);
});

test('an aborted send rejects with the abort reason; a stopped worker fails in-flight sends as recoverable and a new send starts it again', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const worker = createChannelWorker(silentLogger());
  t.after(() => worker.stop());
  const hook = worker.configure([['hook', { type: 'webhook', url: `${sink.url}/hook`, headers: {} }]], { version: 't' }).get('hook')!;
  const ev = [firing({ alert: 'A' }, NOW)];

  const ac = new AbortController();
  const aborted = hook.send(ev, ac.signal).then(() => undefined, (e: unknown) => e);
  ac.abort(new Error('stop now'));
  assert.match(String(await aborted), /stop now/);

  const inFlight = hook.send(ev, new AbortController().signal).then(() => undefined, (e: unknown) => e);
  await worker.stop();
  const err = await inFlight;
  // either it was delivered before the stop or it failed as recoverable: never lost silently
  if (err !== undefined) {
    assert.ok(err instanceof NotifyError);
    assert.equal(err.recoverable, true);
  }
  await hook.send(ev, new AbortController().signal); // a fresh worker, configured as before
  assert.ok(sink.requests.length >= 1);
});

test("the worker's log records reach the main thread's logger, marked as coming from the channel thread", async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  const worker = createChannelWorker(logger);
  t.after(() => worker.stop());
  // a config the worker cannot build a channel from: it says so through the logger
  const bad = worker.configure([['bad', { type: 'webhook', url: 'not a url', headers: {} }]], { version: 't' }).get('bad')!;
  const err = await bad.send([firing({ alert: 'A' }, NOW)], new AbortController().signal).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof NotifyError && err.recoverable, 'an unknown channel fails as recoverable');
  const record = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'channel unusable in the channel worker');
  assert.ok(record, lines.join('\n'));
  assert.equal(record.thread, 'channels');
  assert.equal(record.channel, 'bad');
  assert.equal(record.level, 50);
});
