import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { emailHtml, inTurns, smtpError } from './email.ts';
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

test('a large group is formatted whole and sent base64-encoded; a small one stays quoted-printable', async () => {
  const sent: { text: string; html: string; textEncoding?: string }[] = [];
  const read = async (b: string | AsyncIterable<Buffer>) => {
    if (typeof b === 'string') return b;
    let s = '';
    for await (const c of b) s += c.toString('utf8');
    return s;
  };
  const transport = {
    sendMail: async (m: { text: string | AsyncIterable<Buffer>; html: string | AsyncIterable<Buffer>; textEncoding?: string }) => {
      sent.push({ text: await read(m.text), html: await read(m.html), ...(m.textEncoding ? { textEncoding: m.textEncoding } : {}) });
      return { rejected: [] };
    },
  };
  const ch = createChannel('mail', { type: 'email', url: 'smtp://127.0.0.1:1', from: 'a@x', to: ['b@x'] } as never, { createTransport: () => transport as never });
  const many = Array.from({ length: 600 }, (_, i) => firing({ alert: 'Big', labels: { i: String(i) }, summary: `number ${i}` }, NOW));
  await ch.send(many, new AbortController().signal);
  await ch.send(many.slice(0, 1), new AbortController().signal);
  assert.equal(sent[0]!.textEncoding, 'base64');
  assert.match(sent[0]!.text, /^\[FIRING:600\] Big/);
  assert.ok(sent[0]!.text.includes('number 599') && sent[0]!.html.includes('number 599'), 'every alert is in both parts');
  assert.equal(sent[1]!.textEncoding, undefined);
});

test('inTurns streams the UTF-8 bytes whole: a character across a chunk boundary survives', async () => {
  const body = `${'a'.repeat(16 * 1024 - 1)}🔥b${'é'.repeat(20_000)}`;
  const chunks: Buffer[] = [];
  for await (const c of inTurns(body)) chunks.push(c as Buffer);
  assert.ok(chunks.length > 2);
  assert.equal(Buffer.concat(chunks).toString('utf8'), body);
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
