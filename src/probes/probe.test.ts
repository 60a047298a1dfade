import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { missingBinary } from '../../test/support/binaries.ts';
import { OK, probeTargetForFile, startProbeTarget, testService } from '../../test/support/probe-target.ts';
import { AgentPool, MAX_BODY_BYTES, probeOnce } from './probe.ts';
import type { ServiceDefinition } from './types.ts';

const kit = probeTargetForFile();
const { agents } = kit;

const check = (def: ServiceDefinition, signal = new AbortController().signal) => probeOnce(def, { signal, now: () => Date.now(), agents });

test('200 with {"version":"2.1.0"}: up, status, version, phases', async () => {
  kit.target.mode = OK;
  const r = await check(testService(`${kit.target.origin}/health`, { id: 'fresh', url: `${kit.target.origin}/health?fresh=1` }));
  assert.equal(r.ok, true);
  assert.equal(r.statusCode, 200);
  assert.equal(r.version, '2.1.0');
  assert.equal(r.reason, null);
  assert.equal(r.errorMessage, null);
  assert.equal(r.serviceId, 'fresh');
  assert.ok(r.latencyMs > 0);
  // the first check of a new agent opens a connection: connect, first byte and transfer are measured
  const pool = new AgentPool();
  try {
    const first = await probeOnce(testService(`${kit.target.origin}/a`), { signal: new AbortController().signal, now: Date.now, agents: pool });
    assert.equal(typeof first.phases.connectMs, 'number');
    assert.equal(typeof first.phases.firstByteMs, 'number');
    assert.equal(typeof first.phases.transferMs, 'number');
    assert.equal(first.phases.tlsMs, undefined, 'no TLS on http');
    // the second reuses the keep-alive connection: no connect phase
    const before = kit.target.connections;
    const second = await probeOnce(testService(`${kit.target.origin}/a`), { signal: new AbortController().signal, now: Date.now, agents: pool });
    assert.equal(second.ok, true);
    assert.equal(kit.target.connections, before, 'keep-alive: no new connection');
    assert.equal(second.phases.connectMs, undefined);
    assert.equal(typeof second.phases.firstByteMs, 'number');
  } finally {
    pool.close();
  }
});

test('500 is a status failure; the version is read from the error response', async () => {
  kit.target.mode = { kind: 'json', status: 500, version: '2.0.9' };
  const r = await check(testService(`${kit.target.origin}/`));
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'status');
  assert.equal(r.statusCode, 500);
  assert.equal(r.version, '2.0.9');
  assert.equal(r.errorCode, 'HTTP 500');
  assert.match(r.errorMessage!, /HTTP 500 \(expected 2xx\)/);
});

test('expected_status: a listed non-2xx is up, an unlisted 2xx is down', async () => {
  kit.target.mode = { kind: 'json', status: 418 };
  assert.equal((await check(testService(`${kit.target.origin}/`, { expectedStatus: [418] }))).ok, true);
  kit.target.mode = OK;
  const r = await check(testService(`${kit.target.origin}/`, { expectedStatus: [204] }));
  assert.equal(r.reason, 'status');
  assert.match(r.errorMessage!, /expected 204/);
});

test('a hang past the timeout is reason timeout, within about the timeout', async () => {
  kit.target.mode = { kind: 'hang' };
  const t = Date.now();
  const r = await check(testService(`${kit.target.origin}/`, { timeoutMs: 300 }));
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'timeout');
  assert.equal(r.statusCode, null);
  assert.equal(r.errorCode, 'waiting for first byte');
  assert.match(r.errorMessage!, /within 300ms/);
  assert.ok(Date.now() - t < 5000, 'the check ends at its timeout');
});

test('the caller aborting ends the check as a timeout', async () => {
  kit.target.mode = { kind: 'hang' };
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const r = await check(testService(`${kit.target.origin}/`, { timeoutMs: 10_000 }), ac.signal);
  assert.equal(r.reason, 'timeout');
});

test('a closed connection is reason reset', async () => {
  kit.target.mode = { kind: 'close' };
  const pool = new AgentPool();
  try {
    const r = await probeOnce(testService(`${kit.target.origin}/`), { signal: new AbortController().signal, now: Date.now, agents: pool });
    assert.equal(r.ok, false);
    assert.equal(r.reason, 'reset');
    assert.equal(r.errorCode, 'ECONNRESET');
  } finally {
    pool.close();
  }
});

test('a kept-alive connection the server dropped is retried once on a new connection, not a failure', async () => {
  const pool = new AgentPool();
  try {
    const def = testService(`${kit.target.origin}/ka`);
    const deps = { signal: new AbortController().signal, now: Date.now, agents: pool };
    kit.target.queue({ kind: 'close-reused' }, { kind: 'close-reused' }, { kind: 'close-reused' }); // the retry is the third request
    assert.equal((await probeOnce(def, deps)).ok, true);
    const before = kit.target.connections;
    const second = await probeOnce(def, deps);
    assert.equal(second.ok, true, `${second.reason}: ${second.errorMessage}`);
    assert.equal(kit.target.connections, before + 1, 'one new connection for the retry');
  } finally {
    pool.close();
  }
});

test('301 without follow_redirects is reason redirect; with it, the target of the redirect answers', async () => {
  kit.target.mode = OK;
  kit.target.queue({ kind: 'redirect', location: '/moved' });
  const r = await check(testService(`${kit.target.origin}/old`));
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'redirect');
  assert.equal(r.statusCode, 301);
  assert.match(r.errorMessage!, /HTTP 301 redirect to \/moved \(follow_redirects is off\)/);

  kit.target.queue({ kind: 'redirect', location: '/moved' });
  const n = kit.target.seen.length;
  const f = await check(testService(`${kit.target.origin}/old`, { followRedirects: true }));
  assert.equal(f.ok, true);
  assert.equal(f.statusCode, 200);
  assert.equal(f.version, '2.1.0');
  assert.deepEqual(
    kit.target.seen.slice(n).map((s) => s.path),
    ['/old', '/moved'],
  );

  kit.target.queue({ kind: 'redirect', location: '/moved' });
  assert.equal((await check(testService(`${kit.target.origin}/old`, { expectedStatus: [301] }))).ok, true, 'an expected 301 is up');
});

test('X-Service-Version (any case) when the body has no version', async () => {
  kit.target.mode = { kind: 'text', body: 'fine', headers: { 'X-SERVICE-VERSION': '3.4.5' } };
  const r = await check(testService(`${kit.target.origin}/`));
  assert.equal(r.ok, true);
  assert.equal(r.version, '3.4.5');
});

test('a body over 64 KiB: the version is read from the first 64 KiB, the rest is not read', async () => {
  kit.target.mode = { kind: 'big', bytes: 4 * MAX_BODY_BYTES, version: '7.0.0' };
  const r = await check(testService(`${kit.target.origin}/`, { version: { regex: '"version":"([^"]+)"' } }));
  assert.equal(r.ok, true);
  assert.equal(r.version, '7.0.0');
});

test('connection refused is reason connect', async () => {
  const port = await closedPort();
  const r = await check(testService(`http://127.0.0.1:${port}/`));
  assert.equal(r.reason, 'connect');
  assert.equal(r.errorCode, 'ECONNREFUSED');
  assert.equal(r.statusCode, null);
});

test('a name under .invalid is a dns result, not a crash', async () => {
  const r = await check(testService('http://nothing-here.invalid/health'));
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'dns');
  assert.match(r.errorCode!, /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/);
});

test('TLS to a plain HTTP server is reason tls', async () => {
  const r = await check(testService(`${kit.target.origin.replace('http:', 'https:')}/`));
  assert.equal(r.ok, false);
  assert.equal(r.reason, 'tls', `${r.reason}: ${r.errorMessage}`);
});

test('header secrets and URL credentials never appear in the error message; messages stay short', async () => {
  const secret = 's3cr3t-token-value-ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  kit.target.queue({ kind: 'redirect', location: `/x?token=${secret}&pad=${'y'.repeat(300)}` });
  const r = await check(testService(`http://user:hunter2pass@127.0.0.1:${new URL(kit.target.origin).port}/`, { headers: { 'X-Api-Key': secret } }));
  assert.equal(r.reason, 'redirect');
  assert.ok(!r.errorMessage!.includes(secret), r.errorMessage!);
  assert.ok(!r.errorMessage!.includes('s3cr3t'), 'redacted before truncating');
  assert.ok(r.errorMessage!.includes('[REDACTED]'));
  assert.ok(r.errorMessage!.length <= 200);
  const seen = kit.target.seen.at(-1)!;
  assert.equal(seen.headers['x-api-key'], secret, 'the header was sent');
  assert.match(seen.headers.authorization ?? '', /^Basic /, 'URL credentials are sent as basic auth');
});

test('configured headers are not sent to another origin after a redirect', async () => {
  const other = await startProbeTarget();
  try {
    kit.target.queue({ kind: 'redirect', status: 302, location: `${other.origin}/there` });
    const r = await check(testService(`${kit.target.origin}/here`, { followRedirects: true, headers: { Authorization: 'Bearer abcdef123456' } }));
    assert.equal(r.ok, true);
    assert.equal(other.seen[0]!.headers.authorization, undefined);
  } finally {
    await other.close();
  }
});

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('HTTPS: TLS phase measured with a trusted certificate; an untrusted one is reason tls', { skip: missingBinary('/usr/bin/openssl', 'openssl') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"version":"5.0.0"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  const trusting = new AgentPool({ ca: readFileSync(cert) });
  try {
    const ok = await probeOnce(testService(url), { signal: new AbortController().signal, now: Date.now, agents: trusting });
    assert.equal(ok.ok, true, ok.errorMessage ?? '');
    assert.equal(ok.version, '5.0.0');
    for (const k of ['connectMs', 'tlsMs', 'firstByteMs', 'transferMs'] as const) assert.equal(typeof ok.phases[k], 'number', k);
    const bad = await check(testService(url));
    assert.equal(bad.ok, false);
    assert.equal(bad.reason, 'tls');
    assert.equal(bad.errorCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  } finally {
    trusting.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
