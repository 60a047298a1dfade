import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWebhookSink } from '../../../test/support/webhook-sink.ts';
import { firing } from '../../../test/support/events.ts';
import { createLogger, silentLogger } from '../../lib/logger.ts';
import { NotifyError } from '../types.ts';
import { createChannelWorker } from './remote.ts';

const NOW = Date.UTC(2026, 0, 1);

/** A webhook sink and a channel worker, both stopped after the test; `hook` is the config of a webhook to the sink. */
async function sinkAndWorker(t: { after(fn: () => unknown): void }, headers: Record<string, string> = {}) {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const worker = createChannelWorker(silentLogger());
  t.after(() => worker.stop());
  const hook: [string, { type: 'webhook'; url: string; headers: Record<string, string> }][] = [['hook', { type: 'webhook', url: `${sink.url}/hook`, headers }]];
  return { sink, worker, hook };
}

/** The error a send rejects with, or undefined if it resolves. */
const rejection = (p: Promise<void>) => p.then(() => undefined, (e: unknown) => e);

test('a channel on the worker thread delivers, and its failures come back as NotifyErrors (recoverable or not, Retry-After)', async (t) => {
  const { sink, worker, hook: cfg } = await sinkAndWorker(t, { authorization: 'Bearer s3cr3t-value' });
  const hook = worker.configure(cfg, { version: 't' }).get('hook')!;
  assert.equal(hook.type, 'webhook');
  const events = Array.from({ length: 3 }, (_, i) => firing({ alert: 'Remote', labels: { i: String(i) }, summary: `n ${i} ✓` }, NOW));

  await hook.send(events, new AbortController().signal);
  const body = sink.requests.at(-1)!.json as { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] };
  assert.deepEqual(body.alerts.map((a) => a.labels.i), ['0', '1', '2'], 'the events crossed the thread intact');
  assert.equal(body.alerts[2]!.annotations.summary, 'n 2 ✓');
  assert.equal(sink.requests.at(-1)!.headers.authorization, 'Bearer s3cr3t-value');

  sink.script({ status: 400, body: 'bad' });
  const permanent = await rejection(hook.send(events, new AbortController().signal));
  assert.ok(permanent instanceof NotifyError, String(permanent));
  assert.equal(permanent.recoverable, false);

  sink.script({ status: 429, body: 'slow down', headers: { 'retry-after': '7' } });
  const limited = await rejection(hook.send(events, new AbortController().signal));
  assert.ok(limited instanceof NotifyError);
  assert.equal(limited.recoverable, true);
  assert.equal(limited.retryAfterMs, 7000);
});

test('an aborted send rejects with the abort reason; a stopped worker fails in-flight sends as recoverable; configuring again starts a new one', async (t) => {
  const { sink, worker, hook: cfg } = await sinkAndWorker(t);
  const hook = worker.configure(cfg, { version: 't' }).get('hook')!;
  const ev = [firing({ alert: 'A' }, NOW)];

  const ac = new AbortController();
  const aborted = rejection(hook.send(ev, ac.signal));
  ac.abort(new Error('stop now'));
  assert.match(String(await aborted), /stop now/);

  const inFlight = rejection(hook.send(ev, new AbortController().signal));
  await worker.stop();
  const err = await inFlight;
  // either it was delivered before the stop or it failed as recoverable: never lost silently
  if (err !== undefined) {
    assert.ok(err instanceof NotifyError);
    assert.equal(err.recoverable, true);
  }
  // after a stop only a new configure starts a thread again (see the next test for the old proxies)
  const again = worker.configure(cfg, { version: 't' }).get('hook')!;
  await again.send(ev, new AbortController().signal);
  assert.ok(sink.requests.length >= 1);
});

test("the worker's log records reach the main thread's logger, marked as coming from the channel thread", async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  const worker = createChannelWorker(logger);
  t.after(() => worker.stop());
  // a config the worker cannot build a channel from: it says so through the logger
  const bad = worker.configure([['bad', { type: 'webhook', url: 'not a url', headers: {} }]], { version: 't' }).get('bad')!;
  const err = await rejection(bad.send([firing({ alert: 'A' }, NOW)], new AbortController().signal));
  assert.ok(err instanceof NotifyError && err.recoverable, 'an unknown channel fails as recoverable');
  const record = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'channel unusable in the channel worker');
  assert.ok(record, lines.join('\n'));
  assert.equal(record.thread, 'channels');
  assert.equal(record.channel, 'bad');
  assert.equal(record.level, 50);
});

test('a stopped thread never fails the sends of the thread that replaced it, and its old proxies do not restart it', async (t) => {
  const { sink, worker, hook: cfg } = await sinkAndWorker(t);
  const old = worker.configure(cfg, { version: 't' }).get('hook')!;
  await old.send([firing({ alert: 'A' }, NOW)], new AbortController().signal);

  const stopping = worker.stop(); // a reload to delivery_thread: main ...
  const fresh = worker.configure(cfg, { version: 't' }).get('hook')!; // ... and straight back to worker
  await fresh.send([firing({ alert: 'B' }, NOW)], new AbortController().signal); // must not be failed by the old thread's exit
  await stopping;
  assert.deepEqual(sink.requests.map((r) => ((r.json as { alerts: { labels: Record<string, string> }[] }).alerts[0]!.labels.alertname)), ['A', 'B']);

  await worker.stop();
  const late = await rejection(old.send([firing({ alert: 'C' }, NOW)], new AbortController().signal));
  assert.ok(late instanceof NotifyError && late.recoverable && late.reason === 'worker_stopped', String(late));
  assert.equal(worker.running(), false, 'an old proxy does not start a thread again');
  assert.equal(sink.requests.length, 2);
});
