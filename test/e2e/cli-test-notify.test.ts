// `test-notify` sends through the real pipeline and reports each channel's outcome with an exit code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
