import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { slackBlocks, slackError } from './slack.ts';
import { createChannel } from './index.ts';
import { firing, sampleGroup } from '../../../test/support/events.ts';
import { closeServer, listenLoopback } from '../../../test/support/http-util.ts';
import { NotifyError } from '../types.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

test('slackError maps SDK errors to recoverable / permanent NotifyErrors', () => {
  const map = (err: unknown, header: string | null = null) => slackError('slack x', err, header, [], NOW);
  for (const code of ['invalid_auth', 'channel_not_found', 'not_in_channel', 'account_inactive', 'token_revoked', 'msg_too_long']) {
    const e = map(new WebAPIPlatformError({ ok: false, error: code }));
    assert.equal(e.recoverable, false, code);
    assert.equal(e.reason, code);
  }
  for (const code of ['ratelimited', 'fatal_error', 'internal_error', 'service_unavailable']) assert.equal(map(new WebAPIPlatformError({ ok: false, error: code })).recoverable, true, code);
  const rl = map(new WebAPIRateLimitedError(12));
  assert.deepEqual([rl.recoverable, rl.reason, rl.retryAfterMs], [true, 'rate_limited', 12_000]);
  assert.equal(map(new WebAPIHTTPError(502, 'Bad Gateway', {}, '')).recoverable, true);
  assert.equal(map(new WebAPIHTTPError(404, 'Not Found', {}, '')).recoverable, false);
  const net = map(new WebAPIRequestError(new Error('socket hang up')));
  assert.deepEqual([net.recoverable, net.reason], [true, 'network']);
  const dated = map(new Error('Retry header did not contain a valid timeout (url: x)'), new Date(NOW + 20_000).toUTCString());
  assert.deepEqual([dated.recoverable, dated.retryAfterMs], [true, 20_000]);
});

test('slackError redacts the token even when it is not xox-shaped', () => {
  const e = slackError('slack x', new WebAPIRequestError(new Error('failed with plainTokenSecret99')), null, ['plainTokenSecret99'], NOW);
  assert.doesNotMatch(e.message + e.stack, /plainTokenSecret99/);
  assert.match(e.message, /\[REDACTED\]/);
});

test('slackBlocks stays within Slack limits for big groups', () => {
  const labels = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`l${i}`, `v${i}`]));
  const events = Array.from({ length: 30 }, (_, i) => firing({ alert: `A${i}`, labels }, NOW));
  const blocks = slackBlocks(events);
  assert.ok(blocks.length <= 50, `${blocks.length} blocks`);
  for (const b of blocks) if (b.type === 'section') assert.ok((b.fields ?? []).length <= 10);
  const last = blocks.at(-1)!;
  assert.equal(last.type, 'context');
  assert.match(last.type === 'context' ? last.elements[0]!.text : '', /and 10 more alerts/);
  // labels beyond the 10 fields still appear, in the context line
  assert.ok(blocks.some((b) => b.type === 'context' && b.elements[0]!.text.includes('l14=')));
  assert.equal(slackBlocks(sampleGroup(NOW))[0]!.type, 'header');
});

test('the send signal aborts a hung Slack request: recoverable timeout', async (t) => {
  const hung = createServer(() => {
    /* never answers */
  });
  const port = await listenLoopback(hung);
  t.after(() => closeServer(hung));
  const ch = createChannel('s', { type: 'slack', token: 'xoxb-1-2-abc', channel: '#a', api_url: `http://127.0.0.1:${port}/api/` });
  const err = await ch.send(sampleGroup(NOW), AbortSignal.timeout(200)).catch((e: unknown) => e);
  assert.ok(err instanceof NotifyError);
  assert.deepEqual([err.recoverable, err.reason], [true, 'timeout']);
});

test('slackBlocks: the header names the host; alerts that differ in one label are one section, within Slack limits', () => {
  const cpus = Array.from({ length: 64 }, (_, i) =>
    firing({ alert: 'HostHighCpu', metric: 'host_cpu_usage_ratio', labels: { instance: 'web-1', cpu: String(i) }, value: 0.9 + i / 1000, summary: `CPU ${i} busy` }, NOW),
  );
  const blocks = slackBlocks(cpus, 'http://web-1:9470');
  assert.equal(blocks[0]!.type === 'header' && blocks[0]!.text.text, '[FIRING:64] HostHighCpu on web-1');
  const sections = blocks.filter((b) => b.type === 'section');
  assert.equal(sections.length, 1, 'one section for 64 CPUs');
  const text = sections[0]!.type === 'section' ? sections[0]!.text.text : '';
  assert.ok(text.length <= 3000, `section text ${text.length} chars`);
  assert.match(text, /^:red_circle: \*HostHighCpu\* on web-1 — 64 alerts by \*cpu\*\n• <http:\/\/web-1:9470\/alerts\/[^|]+\|cpu=0>: \*90%\*/);
  const twoHosts = slackBlocks([firing({ alert: 'A', labels: { instance: 'a' } }, NOW), firing({ alert: 'A', labels: { instance: 'b' } }, NOW)]);
  assert.equal(twoHosts[0]!.type === 'header' && twoHosts[0]!.text.text, '[FIRING:2] A on 2 hosts');
});
