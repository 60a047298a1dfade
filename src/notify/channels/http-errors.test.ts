import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWebhookSink } from '../../../test/support/webhook-sink.ts';
import { httpStatusError, isRecoverableStatus, networkError, parseRetryAfter, postJson, safeHost, splitCredentials, urlSecrets } from './http-errors.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const headers = (h: Record<string, string>) => new Headers(h);

test('parseRetryAfter reads delta-seconds and HTTP-dates', () => {
  assert.equal(parseRetryAfter('7', NOW), 7000);
  assert.equal(parseRetryAfter(' 1.5 ', NOW), 1500);
  assert.equal(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW), 30_000);
  assert.equal(parseRetryAfter(new Date(NOW - 30_000).toUTCString(), NOW), 0);
  assert.equal(parseRetryAfter('soon', NOW), undefined);
  assert.equal(parseRetryAfter(null, NOW), undefined);
});

test('status classification: 5xx, 429, 408 recoverable; other 4xx not', () => {
  for (const s of [500, 502, 503, 504, 429, 408]) assert.equal(isRecoverableStatus(s), true, String(s));
  for (const s of [400, 401, 403, 404, 410, 422]) assert.equal(isRecoverableStatus(s), false, String(s));
});

test('httpStatusError: retryAfterMs from 429/503, body excerpt redacted', () => {
  const secret = '/hooks/SuperSecretPath';
  const e429 = httpStatusError('webhook x', { status: 429, headers: headers({ 'retry-after': '3' }) }, '', [secret], NOW);
  assert.equal(e429.recoverable, true);
  assert.equal(e429.reason, 'rate_limited');
  assert.equal(e429.retryAfterMs, 3000);
  const e400 = httpStatusError('webhook x', { status: 400, statusText: 'Bad Request', headers: headers({}) }, `no such hook ${secret}`, [secret], NOW);
  assert.equal(e400.recoverable, false);
  assert.equal(e400.reason, 'http_400');
  assert.equal(e400.message, 'webhook x: HTTP 400 Bad Request: no such hook [REDACTED]');
});

test('networkError: recoverable, timeout vs network, no URL secrets', () => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
  const e = networkError('webhook x', refused, []);
  assert.equal(e.recoverable, true);
  assert.equal(e.reason, 'network');
  assert.match(e.message, /ECONNREFUSED/);
  const t = networkError('webhook x', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), []);
  assert.equal(t.reason, 'timeout');
  const leaky = networkError('webhook x', new Error('failed for https://u:pw@h/hooks/SuperSecretPath'), ['/hooks/SuperSecretPath']);
  assert.doesNotMatch(leaky.message, /SuperSecretPath|pw@/);
});

test('splitCredentials moves userinfo into a Basic header; safeHost shows host only', () => {
  const { url, authorization } = splitCredentials('http://us%40er:p%3Ass@127.0.0.1:9093/base?x=1');
  assert.equal(url, 'http://127.0.0.1:9093/base?x=1');
  assert.equal(authorization, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  assert.deepEqual(splitCredentials('http://h/'), { url: 'http://h/', authorization: undefined });
  assert.equal(safeHost('https://u:p@hooks.example.com:8443/T1/B2?sig=abc'), 'hooks.example.com:8443');
  assert.equal(safeHost('not a url'), 'invalid-url');
});

test('urlSecrets: passwords always; path segments and query only when the path is secret', () => {
  const s = urlSecrets('https://user:pa%24sword@hooks.example.com/services/T000/B000/XXXXyyyyZZZZ?token=qqqq1234', true);
  for (const want of ['pa%24sword', 'pa$sword', '/services/T000/B000/XXXXyyyyZZZZ', 'XXXXyyyyZZZZ', 'services', 'qqqq1234']) assert.ok(s.includes(want), want);
  const am = urlSecrets('http://user:pass1234@am:9093/', false);
  assert.ok(am.includes('pass1234'));
  assert.ok(!am.some((x) => x === '/' || x === 'am:9093'));
});

test('a fetch error that can never succeed (bad URL or scheme) is not recoverable; a refused connection is', () => {
  const bad = networkError('webhook', Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('unknown scheme'), { code: undefined }) }), []);
  assert.equal(bad.recoverable, false);
  assert.equal(bad.reason, 'bad_url');
  const invalid = networkError('webhook', Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' }), []);
  assert.equal(invalid.recoverable, false);
  const refused = networkError('webhook', Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), []);
  assert.equal(refused.recoverable, true);
});

test('error text is redacted before it is cut: a secret straddling the 200-character cut leaks no part of itself', () => {
  const secret = 'hook-path-SECRET-0123456789abcdef';
  for (let at = 170; at <= 200; at += 3) {
    const body = `${'e'.repeat(at)}${secret} trailing`;
    const err = httpStatusError('webhook', { status: 500, headers: headers({}) }, body, [secret], NOW);
    for (let n = 6; n <= secret.length; n++) assert.ok(!err.message.includes(secret.slice(0, n)), `prefix of ${n} chars leaked with the secret at ${at}: ${err.message}`);
  }
});

test("a token cut at the limit is dropped whole, even a secret this channel does not know (another channel's, echoed back)", () => {
  const foreign = 'OtherChannelSecret0123456789';
  const err = httpStatusError('alertmanager', { status: 503, headers: headers({}) }, `${'e'.repeat(190)} ${foreign}`, [], NOW);
  assert.ok(!err.message.includes(foreign.slice(0, 6)), err.message);
  assert.match(err.message, /…$/);
});

test('postJson: a configured header replaces the default of the same name in any case (one Authorization, one Content-Type)', async () => {
  const sink = await startWebhookSink();
  try {
    const url = sink.url.replace('http://', 'http://hookuser:hookpass@');
    const deps = { fetch, now: () => NOW, secrets: [] };
    await postJson('webhook t', `${url}/hook`, { a: 1 }, { headers: { Authorization: 'Bearer configured', 'Content-Type': 'application/json; charset=utf-8' }, signal: AbortSignal.timeout(5000) }, deps);
    assert.equal(sink.requests[0]!.headers.authorization, 'Bearer configured', 'the configured header, not "Basic …, Bearer …"');
    assert.equal(sink.requests[0]!.headers['content-type'], 'application/json; charset=utf-8');
    await postJson('webhook t', `${url}/hook`, { a: 1 }, { headers: { 'X-Other': '1' }, signal: AbortSignal.timeout(5000) }, deps);
    assert.equal(sink.requests[1]!.headers.authorization, `Basic ${Buffer.from('hookuser:hookpass').toString('base64')}`, 'userinfo still becomes basic auth');
    assert.equal(sink.requests[1]!.headers['content-type'], 'application/json');
  } finally {
    await sink.close();
  }
});
