/**
 * Crash safety of the notification outbox, end to end with the real sidecar process:
 * the webhook channel is down (503) while an alert fires, the sidecar is SIGKILLed, restarted on the same data
 * directory, the channel comes back: the notification arrives exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { freePort } from '../support/free-port.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'main.ts');

interface Sink {
  server: Server;
  url: string;
  up: boolean;
  /** requests answered 503 while down */
  refused: number;
  /** payloads accepted while up */
  received: Array<{ status: string; alerts: Array<{ status: string; fingerprint: string; labels: Record<string, string> }> }>;
}

async function startSink(): Promise<Sink> {
  const sink: Sink = { server: createServer(), url: '', up: false, refused: 0, received: [] };
  sink.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!sink.up) {
        sink.refused++;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('down for the test');
        return;
      }
      sink.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Sink['received'][number]);
      res.writeHead(200).end('ok');
    });
  });
  sink.server.listen(0, '127.0.0.1');
  await once(sink.server, 'listening');
  sink.url = `http://127.0.0.1:${(sink.server.address() as AddressInfo).port}/hook`;
  return sink;
}

async function waitFor(what: string, cond: () => boolean, limitMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n--- sidecar output ---\n${logs().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Running {
  child: ChildProcess;
  output: string[];
}
function startSidecar(configPath: string, port: number): Running {
  const child = spawn(process.execPath, [MAIN, 'serve', '--config', configPath, '--listen', `127.0.0.1:${port}`], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'debug', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  return { child, output };
}

async function kill(r: Running | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!r || r.child.exitCode !== null || r.child.signalCode !== null || r.child.pid === undefined) return;
  const exited = once(r.child, 'exit');
  process.kill(r.child.pid, signal);
  await exited;
}

test('a notification queued while the channel is down survives SIGKILL and arrives exactly once', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-crash-'));
  const sink = await startSink();
  const running: Running[] = [];
  t.after(async () => {
    for (const r of running) await kill(r, 'SIGKILL');
    await new Promise<void>((r) => sink.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const configPath = join(dir, 'alerts.yaml');
  writeFileSync(
    configPath,
    [
      'sampling:',
      '  interval: 200ms',
      '  collectors: { cpu: false, load: false, memory: true, filesystem: false, disk: false, network: false, boot: false }',
      'storage:',
      `  path: ${JSON.stringify(join(dir, 'data', 'prodpulse.db'))}`,
      'channels:',
      `  hook: { type: webhook, url: ${JSON.stringify(sink.url)} }`,
      'defaults: { channels: [hook], repeat_interval: 4h, send_resolved: true }',
      'rules:',
      '  - alert: MemoryPresent',
      '    metric: host_memory_total_bytes',
      '    op: ">"',
      '    threshold: 0',
      '    for: 0s',
      '    severity: info',
      '    summary: "memory is {{ value }} bytes"',
      '',
    ].join('\n'),
  );

  const port = await freePort();
  const first = startSidecar(configPath, port);
  running.push(first);
  const logs1 = () => first.output.join('');
  // the alert fires and the webhook channel is tried (and refused) at least once
  await waitFor('a delivery attempt against the down channel', () => sink.refused >= 1, 30_000, logs1);
  assert.equal(sink.received.length, 0);
  await kill(first, 'SIGKILL');

  sink.up = true;
  const second = startSidecar(configPath, port);
  running.push(second);
  const logs2 = () => first.output.join('') + '\n--- after restart ---\n' + second.output.join('');
  await waitFor('the notification after restart', () => sink.received.length >= 1, 30_000, logs2);
  // let several evaluations pass: the restored/re-evaluated alert must not be notified again
  await new Promise((r) => setTimeout(r, 3000));
  await kill(second, 'SIGTERM');

  const firing = sink.received.flatMap((p) => p.alerts).filter((a) => a.status === 'firing' && a.labels.alertname === 'MemoryPresent');
  assert.equal(firing.length, 1, `exactly one firing notification, got ${JSON.stringify(sink.received)}\n${logs2().slice(-3000)}`);
  assert.equal(sink.received.length, 1, 'and nothing else was sent');
});
