import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { emailHtml, smtpError } from './email.ts';
import { createChannel } from './index.ts';
import { firing, sampleGroup } from '../../../test/support/events.ts';
import { NotifyError } from '../types.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

test('emailHtml escapes every interpolated string', () => {
  const e = firing({ alert: 'X', labels: { 'a<b': '"><script>alert(1)</script>' }, summary: '<img src=x onerror=alert(1)>', annotations: { description: 'a & b' } }, NOW);
  const html = emailHtml([e], 'http://h/?a="b"&c=<d>');
  assert.ok(!html.includes('<script>') && !html.includes('<img'), html);
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('a&lt;b'));
  assert.ok(html.includes('a &amp; b'));
  assert.ok(html.includes('href="http://h/?a=&quot;b&quot;&amp;c=&lt;d&gt;"'));
});

test('smtpError: 4xx and connection trouble recoverable; 5xx and EAUTH not', () => {
  const map = (e: object) => smtpError('email x', Object.assign(new Error('m'), e), []);
  assert.deepEqual([map({ code: 'EENVELOPE', responseCode: 421 }).recoverable, map({ code: 'EENVELOPE', responseCode: 421 }).reason], [true, 'smtp_421']);
  assert.equal(map({ code: 'EMESSAGE', responseCode: 452 }).recoverable, true);
  assert.equal(map({ code: 'EENVELOPE', responseCode: 550 }).recoverable, false);
  assert.equal(map({ code: 'EMESSAGE', responseCode: 554 }).recoverable, false);
  assert.deepEqual([map({ code: 'EAUTH', responseCode: 454 }).recoverable, map({ code: 'EAUTH' }).reason], [false, 'auth_failed']);
  assert.deepEqual([map({ code: 'ESOCKET' }).recoverable, map({ code: 'ESOCKET' }).reason], [true, 'network']);
  assert.deepEqual([map({ code: 'ETIMEDOUT' }).recoverable, map({ code: 'ETIMEDOUT' }).reason], [true, 'timeout']);
  assert.equal(map({ code: 'EENVELOPE' }).recoverable, false);
});

test('the send signal aborts an SMTP server that never greets: recoverable timeout, no password in the error', async (t) => {
  const silent = createServer(() => {
    /* accepts, never speaks */
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => silent.close(() => r())));
  const addr = silent.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const ch = createChannel('mail', { type: 'email', url: `smtp://u:VerySecretPw1@127.0.0.1:${port}`, from: 'a@b.c', to: ['d@e.f'] });
  const err = await ch.send(sampleGroup(NOW), AbortSignal.timeout(200)).catch((e: unknown) => e);
  assert.ok(err instanceof NotifyError);
  assert.deepEqual([err.recoverable, err.reason], [true, 'timeout']);
  assert.doesNotMatch(String(err) + err.stack, /VerySecretPw1/);
  silent.unref();
});
