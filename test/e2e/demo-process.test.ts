/**
 * `prodpulse demo` as a real process (what `npm run demo` runs): it prints the dashboard URL, the docs URL and
 * curl examples, and SIGTERM / SIGINT stop every server it started and exit 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { REAL_CHANNEL_VARS } from '../../src/demo/config.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`demo prints where to look and stops cleanly on ${signal}`, async (t) => {
    const port = await freePort();
    const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production' };
    for (const v of REAL_CHANNEL_VARS) delete env[v];
    const child = spawn(process.execPath, [MAIN, 'demo', '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    await waitFor('the banner', () => out.includes('Ctrl-C stops everything'), 20_000, () => out);
    const url = `http://127.0.0.1:${port}`;
    assert.ok(out.includes(`dashboard     ${url}/`), out);
    assert.ok(out.includes(`API docs      ${url}/docs`), out);
    assert.ok(out.includes(`curl -X POST ${url}/demo/fault -H 'content-type: application/json' -d '{"target":"payment","fault":"HIGH_CPU"}'`), out);
    assert.ok(out.includes('alerts        print here'), out);
    const urls = [url, ...[...out.matchAll(/(?:inventory-api|pricing-api) (http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!), /control port (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!];
    assert.equal(urls.length, 4, out);
    for (const u of urls) assert.ok((await fetch(u)).status > 0);
    // a fault through the sidecar's own endpoint is echoed in the terminal
    assert.equal((await fetch(`${url}/demo/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"target":"reporting","fault":"HIGH_CPU"}' })).status, 200);
    await waitFor('the fault echoed', () => out.includes('[demo] reporting: HIGH_CPU'), 5_000, () => out);

    child.kill(signal);
    const hard = setTimeout(() => child.kill('SIGKILL'), 8_000);
    const code = await exited;
    clearTimeout(hard);
    assert.equal(code, 0, out);
    assert.ok(out.includes('[demo] stopped'), out);
    for (const u of urls) await assert.rejects(fetch(u), `${u} still answers`);
  });
}

test('demo on a port already taken: a clear message and exit 1, nothing left running', async (t) => {
  const { createServer } = await import('node:net');
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => busy.close(() => r())));
  const port = (busy.address() as { port: number }).port;
  const child = spawn(process.execPath, [MAIN, 'demo', '--listen', `127.0.0.1:${port}`], { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const hard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(hard);
  assert.equal(code, 1, out);
  assert.match(out, /prodpulse demo: cannot start: listen EADDRINUSE.*choose another with --listen/);
});
