// `test-notify` sends through the real pipeline and reports each channel's outcome with an exit code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startWebhookSink } from '../support/webhook-sink.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('test-notify delivers to a working channel (exit 0) and reports a permanent failure (exit 1) without its secret', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-tn-'));
  const cfg = join(dir, 'alerts.yaml');
  writeFileSync(
    cfg,
    `channels:
  good: { type: webhook, url: "${sink.url}/good" }
  rejecting: { type: webhook, url: "${sink.url}/reject/s3cr3t-path-token" }
  idle: { type: slack, token: "", channel: "#x" }
`,
  );
  const ok = await run(['test-notify', 'good', '--config', cfg]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^good: delivered after 1 attempt$/m);
  const body = sink.requests.find((r) => r.path === '/good')?.json as { alerts: { labels: { alertname: string } }[] };
  assert.equal(body.alerts[0]?.labels.alertname, 'ProdpulseTestNotification');

  sink.script({ status: 400, body: 'bad request' });
  const bad = await run(['test-notify', 'rejecting', '--config', cfg]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^rejecting: failed after 1 attempt: /m);
  assert.ok(!bad.stderr.includes('s3cr3t-path-token') && !bad.stdout.includes('s3cr3t-path-token'), 'webhook path secret is redacted');

  const inactive = await run(['test-notify', 'idle', '--config', cfg]);
  assert.equal(inactive.code, 1);
  assert.match(inactive.stderr, /idle: inactive \(token is empty\)/);

  const unknown = await run(['test-notify', 'nope', '--config', cfg]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown channel: nope \(configured: good, rejecting, idle\)/);
});

test('test-notify --dry-run prints what each channel would send and sends nothing; --html writes the email HTML part', async (t) => {
  const sink = await startWebhookSink();
  t.after(() => sink.close());
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-tn-'));
  const cfg = join(dir, 'alerts.yaml');
  writeFileSync(
    cfg,
    `server: { listen: "127.0.0.1:9555" }
external_labels: { instance: web-7, env: prod }
channels:
  hook: { type: webhook, url: "${sink.url}/hook/s3cr3t-path-token" }
  idle: { type: slack, token: "", channel: "#x" }
  mail: { type: email, url: "smtp://u:MailPassw0rd@127.0.0.1:1", from: a@example.com, to: [b@example.com] }
`,
  );
  const out = await run(['test-notify', '--dry-run', '--config', cfg]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(sink.requests.length, 0, 'nothing sent');
  assert.match(out.stdout, /^=== hook \(webhook\) — dry run, nothing sent ===$/m);
  assert.match(out.stdout, /^=== idle \(slack\) — inactive: token is empty — dry run, nothing sent ===$/m);
  assert.match(out.stdout, /^Subject: \[FIRING:1\] ProdpulseTestNotification on web-7$/m);
  assert.match(out.stdout, /^  alert: http:\/\/[^/\s]+:9555\/alerts\/[0-9a-f]{16}$/m, 'links use http://<host name>:<listen port>');
  assert.ok(!out.stdout.includes('s3cr3t-path-token') && !out.stdout.includes('MailPassw0rd'), 'no secret printed');
  // the Slack part is the chat.postMessage JSON: header names the instance
  const slackJson = out.stdout.split(/^=== idle .*$/m)[1]!.split(/^=== /m)[0]!.trim().replace(/^POST [^\n]*\n/, '');
  const msg = JSON.parse(slackJson) as { blocks: { type: string; text?: { text: string } }[] };
  assert.equal(msg.blocks[0]!.text!.text, '[FIRING:1] ProdpulseTestNotification on web-7');
  const hookJson = out.stdout.split(/^=== hook .*$/m)[1]!.split(/^=== /m)[0]!.trim().replace(/^POST [^\n]*\n/, '');
  const payload = JSON.parse(hookJson) as { commonLabels: Record<string, string> };
  assert.deepEqual(payload.commonLabels, { instance: 'web-7', env: 'prod', alertname: 'ProdpulseTestNotification', severity: 'info' });

  const only = await run(['test-notify', 'mail', '--dry-run', '--config', cfg]);
  assert.equal(only.code, 0, only.stderr);
  assert.doesNotMatch(only.stdout, /=== hook/);

  const file = join(dir, 'email.html');
  const html = await run(['test-notify', '--html', file, '--config', cfg]);
  assert.equal(html.code, 0, html.stderr);
  assert.equal(sink.requests.length, 0, 'nothing sent');
  const written = readFileSync(file, 'utf8');
  assert.match(written, /^<!doctype html>/);
  assert.ok(written.includes('ProdpulseTestNotification') && written.includes('web-7'));
});
