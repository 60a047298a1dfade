import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { heartbeatDefaultsSchema, heartbeatsSchema } from '../../config/heartbeats.ts';
import { heartbeatSettings } from '../../heartbeats/settings.ts';
import { HeartbeatTracker } from '../../heartbeats/tracker.ts';
import { ManualClock } from '../../lib/clock.ts';
import { createLogger, silentLogger, type Logger } from '../../lib/logger.ts';
import { jsonError } from '../errors.ts';
import { listen, type Listening } from '../server.ts';
import { heartbeatRoutes, MAX_BODY_BYTES } from './heartbeat.ts';

interface Harness {
  url: string;
  tracker: HeartbeatTracker;
  clock: ManualClock;
  setToken(t: string | undefined): void;
  close(): Promise<void>;
}

const servers: Listening[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close(100)));
});

async function harness(jobs: unknown[], defaults: unknown = {}, logger: Logger = silentLogger()): Promise<Harness> {
  const clock = new ManualClock();
  const tracker = new HeartbeatTracker(
    heartbeatSettings({ heartbeats: heartbeatsSchema.parse(jobs), defaults: { heartbeats: heartbeatDefaultsSchema.parse(defaults) } }),
    { clock, logger },
  );
  let token: string | undefined;
  const app = new Hono();
  heartbeatRoutes(app, { tracker, token: () => token, logger, now: () => clock.now() });
  app.notFound((c) => jsonError(c, 404, 'no route'));
  const l = await listen(app, { host: '127.0.0.1', port: 0 });
  servers.push(l);
  return { url: l.url, tracker, clock, setToken: (t) => (token = t), close: () => l.close(100) };
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; json: () => any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

let h: Harness;
before(async () => {
  h = await harness([
    { service: 'backup', interval: '1h' },
    { service: 'worker', interval: '1m', token: 'job-secret-123' },
    { service: 'api', interval: '1s', allowed_misses: 5 },
  ]);
});

test('GET, HEAD and POST record a success; the answer is OK', async () => {
  h.setToken(undefined);
  assert.equal((await call(`${h.url}/heartbeat/backup`)).text, 'OK');
  const head = await fetch(`${h.url}/heartbeat/backup`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal((await call(`${h.url}/heartbeat/backup`, { method: 'POST', body: 'all good' })).status, 200);
  const s = h.tracker.state('backup')!;
  assert.equal(s.pings.success, 3);
  assert.equal(s.lastMessage, 'all good');
});

test('start, fail and exit codes; rid pairs a start with its end; anything else is a 400', async () => {
  h.setToken(undefined);
  assert.equal((await call(`${h.url}/heartbeat/backup/start?rid=run-1`)).status, 200);
  h.clock.advance(4000);
  assert.equal((await call(`${h.url}/heartbeat/backup/0?rid=run-1`)).status, 200);
  assert.deepEqual(h.tracker.state('backup')!.runDurationsMs.at(-1), 4000);
  assert.equal((await call(`${h.url}/heartbeat/backup/fail`, { method: 'POST', body: 'boom' })).status, 200);
  assert.equal((await call(`${h.url}/heartbeat/backup/255`)).status, 200);
  const s = h.tracker.state('backup')!;
  assert.equal(s.consecutiveFailures, 2);
  assert.equal(s.lastExitCode, 255);
  for (const bad of ['256', '-1', 'abc', '1.5', '0001']) {
    const r = await call(`${h.url}/heartbeat/backup/${bad}`);
    assert.equal(r.status, 400, bad);
    assert.match(r.json().error, /start, fail or an exit code 0-255/);
  }
  const longRid = await call(`${h.url}/heartbeat/backup/start?rid=${'x'.repeat(129)}`);
  assert.equal(longRid.status, 400);
  assert.match(longRid.json().error, /rid/);
  assert.equal((await call(`${h.url}/heartbeat/backup`)).status, 200);
  assert.equal(h.tracker.state('backup')!.consecutiveFailures, 0);
});

test('unknown service: 404 JSON', async () => {
  h.setToken(undefined);
  const r = await call(`${h.url}/heartbeat/nope`);
  assert.equal(r.status, 404);
  assert.match(r.json().error, /unknown heartbeat service "nope"/);
});

test('tokens: server.token by header, X-Prodpulse-Token or ?token=; wrong or missing is 401; a job token works too', async () => {
  h.setToken('server-secret-xyz');
  try {
    assert.equal((await call(`${h.url}/heartbeat/backup`)).status, 401, 'missing');
    assert.equal((await call(`${h.url}/heartbeat/backup?token=wrong`)).status, 401, 'wrong query');
    assert.equal((await call(`${h.url}/heartbeat/backup`, { headers: { authorization: 'Bearer wrong' } })).status, 401, 'wrong header');
    assert.equal((await call(`${h.url}/heartbeat/backup?token=`)).status, 401, 'empty');
    const r401 = await call(`${h.url}/heartbeat/backup`);
    assert.equal(r401.json().error.includes('server-secret-xyz'), false);
    assert.equal((await call(`${h.url}/heartbeat/backup`, { headers: { authorization: 'Bearer server-secret-xyz' } })).status, 200);
    assert.equal((await call(`${h.url}/heartbeat/backup`, { headers: { 'x-prodpulse-token': 'server-secret-xyz' } })).status, 200);
    assert.equal((await call(`${h.url}/heartbeat/backup?token=server-secret-xyz`)).status, 200);
    // the job's own token, or the server token, for a job that has one
    assert.equal((await call(`${h.url}/heartbeat/worker?token=job-secret-123`)).status, 200);
    assert.equal((await call(`${h.url}/heartbeat/worker`, { headers: { authorization: 'Bearer server-secret-xyz' } })).status, 200);
    assert.equal((await call(`${h.url}/heartbeat/backup?token=job-secret-123`)).status, 401, 'a job token is for its job only');
    // unknown names answer 401 before 404: no probing for job names without the token
    assert.equal((await call(`${h.url}/heartbeat/nope`)).status, 401);
  } finally {
    h.setToken(undefined);
  }
  // without server.token, a job token alone still guards its job
  assert.equal((await call(`${h.url}/heartbeat/worker`)).status, 401);
  assert.equal((await call(`${h.url}/heartbeat/backup`)).status, 200);
});

test('the last message is redacted (tokens, ?token=, URL credentials) before it is kept', async () => {
  h.setToken('server-secret-xyz');
  try {
    const body = 'failed: curl https://user:pw@example.com/x?token=abc123 with job-secret-123 and server-secret-xyz';
    assert.equal((await call(`${h.url}/heartbeat/worker/fail?token=job-secret-123`, { method: 'POST', body })).status, 200);
    const msg = h.tracker.state('worker')!.lastMessage!;
    for (const secret of ['job-secret-123', 'server-secret-xyz', 'abc123', 'user:pw']) assert.equal(msg.includes(secret), false, secret);
    assert.match(msg, /^failed: curl/);
  } finally {
    h.setToken(undefined);
  }
});

function rawPost(url: string, path: string, chunks: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string; connection: string | undefined }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: 'POST', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts).toString('utf8'), connection: res.headers.connection }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    (async () => {
      for (const c of chunks) {
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      if (!headers['content-length']) req.end();
    })().catch(reject);
  });
}

test('413 for bodies over 10 KB: by Content-Length, and counted when streamed without one', async () => {
  h.setToken(undefined);
  const before = h.tracker.state('backup')!.pings.success;
  const exact = await call(`${h.url}/heartbeat/backup`, { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES) });
  assert.equal(exact.status, 200, 'exactly 10 KB is fine');
  assert.equal(h.tracker.state('backup')!.lastMessage!.length, MAX_BODY_BYTES);
  const big = await call(`${h.url}/heartbeat/backup`, { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
  assert.equal(big.status, 413);
  assert.match(big.json().error, /larger than 10240 bytes/);
  // a client announcing a huge body gets its 413 without sending it, and the connection is closed, not drained
  const huge = await rawPost(h.url, '/heartbeat/backup', [Buffer.alloc(1024, 'z')], { 'content-length': String(1024 ** 3) });
  assert.equal(huge.status, 413);
  assert.equal(huge.connection, 'close');
  const streamed = await rawPost(h.url, '/heartbeat/backup/fail', Array.from({ length: 8 }, () => Buffer.alloc(4096, 'y')), { 'transfer-encoding': 'chunked' });
  assert.equal(streamed.status, 413);
  assert.match(JSON.parse(streamed.body).error, /larger than/);
  assert.equal(h.tracker.state('backup')!.pings.success, before + 1, 'refused pings are not recorded');
  assert.equal(h.tracker.state('backup')!.consecutiveFailures, 0, 'the refused /fail was not recorded');
});

test('pushed metrics: stored as ratios and seconds; out-of-range or non-numeric values are a 400 naming the field', async () => {
  h.setToken(undefined);
  const post = (body: unknown) => call(`${h.url}/heartbeat/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await post({ cpu: 85, memory: 40.5, latency_ms: 120, error_rate: 0.1 })).status, 200);
  const p = h.tracker.state('api')!.pushed!;
  assert.deepEqual({ cpu: p.cpu, memory: p.memory, latencySeconds: p.latencySeconds, errorRate: p.errorRate }, { cpu: 0.85, memory: 0.405, latencySeconds: 0.12, errorRate: 0.1 });
  assert.equal(h.tracker.state('api')!.lastMessage, null, 'a metrics push is not a message');
  const cases: [unknown, string][] = [
    [{ cpu: 100.1 }, 'cpu'],
    [{ cpu: '85' }, 'cpu'],
    [{ cpu: 50, memory: -1 }, 'memory'],
    [{ memory: null }, 'memory'],
    [{ latency_ms: -5 }, 'latency_ms'],
    [{ latency_ms: 'fast' }, 'latency_ms'],
    [{ error_rate: 1.5 }, 'error_rate'],
    [{ error_rate: true }, 'error_rate'],
  ];
  for (const [body, field] of cases) {
    const r = await post(body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.json().error, new RegExp(`"${field}"`));
    assert.equal(r.json().details[0].field, field);
  }
  const bad = await call(`${h.url}/heartbeat/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"cpu": 5' });
  assert.equal(bad.status, 400);
  assert.match(bad.json().error, /not valid JSON/);
  assert.equal(h.tracker.state('api')!.pushed!.cpu, 0.85, 'refused pushes change nothing');
  // JSON without any metric field is an ordinary message
  assert.equal((await post({ note: 'deployed' })).status, 200);
  assert.equal(h.tracker.state('api')!.lastMessage, '{"note":"deployed"}');
});

test('auto_register: unknown names register up to the cap, then 403; names must be valid', async () => {
  const a = await harness([{ service: 'known', interval: '1m' }], { interval: '30s', auto_register: { enabled: true, max: 2 } });
  try {
    assert.equal((await call(`${a.url}/heartbeat/new-1`)).status, 200);
    assert.equal((await call(`${a.url}/heartbeat/new-2/start`)).status, 200);
    assert.equal((await call(`${a.url}/heartbeat/new-1`)).status, 200, 'registered ones keep pinging');
    const capped = await call(`${a.url}/heartbeat/new-3`);
    assert.equal(capped.status, 403);
    assert.match(capped.json().error, /cap reached: 2/);
    const badName = await call(`${a.url}/heartbeat/Bad.Name`);
    assert.equal(badName.status, 400);
    assert.equal(a.tracker.job('new-1')!.intervalMs, 30_000);
    assert.equal(a.tracker.autoRegisteredCount, 2);
    assert.equal(a.tracker.job('new-3'), undefined);
    assert.equal((await call(`${a.url}/heartbeat/known`)).status, 200, 'configured jobs do not count against the cap');
    const big = await call(`${a.url}/heartbeat/new-4`, { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    assert.equal(big.status, 413);
    assert.equal(a.tracker.job('new-4'), undefined, 'a refused ping registers nothing');
  } finally {
    await a.close();
  }
});

test('?token= never reaches a log line, even at debug level', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination: sink });
  const l = await harness([{ service: 'job', interval: '1m', token: 'tok-ABCDEF-987' }], {}, logger);
  try {
    assert.equal((await call(`${l.url}/heartbeat/job?token=wrong-token-555`)).status, 401);
    assert.equal((await call(`${l.url}/heartbeat/job?token=tok-ABCDEF-987`)).status, 200);
    logger.info(`GET /heartbeat/job?rid=1&token=tok-ABCDEF-987`);
    logger.warn({ path: '/heartbeat/job?token=tok-ABCDEF-987', nested: { ok: 1 } }, 'x');
    logger.error({ url: 'http://h/heartbeat/job?token=tok-ABCDEF-987' }, 'y');
    const all = lines.join('');
    assert.ok(lines.length >= 4, all);
    assert.equal(all.includes('tok-ABCDEF-987'), false, all);
    assert.equal(all.includes('wrong-token-555'), false, all);
    assert.match(all, /token=\[REDACTED\]/);
  } finally {
    await l.close();
  }
});

test('GET /heartbeats lists the jobs; GET /heartbeats/:service has the full (redacted) last message', async () => {
  h.setToken(undefined);
  const long = `x${'y'.repeat(3000)} token=zzz-secret`;
  assert.equal((await call(`${h.url}/heartbeat/backup/fail`, { method: 'POST', body: long })).status, 200);
  const list = await call(`${h.url}/heartbeats`);
  assert.equal(list.status, 200);
  const jobs = list.json().jobs as { service: string; lastMessage: string | null; status: string }[];
  assert.deepEqual(jobs.map((j) => j.service), ['backup', 'worker', 'api']);
  const backup = jobs.find((j) => j.service === 'backup')!;
  assert.equal(backup.lastMessage!.length, 201, 'a preview in the list');
  const one = await call(`${h.url}/heartbeats/backup`);
  assert.equal(one.status, 200);
  assert.equal(one.json().lastMessage.length, long.length - 'zzz-secret'.length + '[REDACTED]'.length);
  assert.match(one.json().lastMessage, /token=\[REDACTED\]$/);
  assert.equal(one.json().consecutiveFailures, 1);
  assert.equal((await call(`${h.url}/heartbeats/nope`)).status, 404);
  assert.equal((await call(`${h.url}/heartbeat/backup`)).status, 200);
});

test('a GET ping is answered synchronously (the ingest fast path: no promise between the route and the socket); a POST reads its body', async () => {
  const clock = new ManualClock();
  const tracker = new HeartbeatTracker(
    heartbeatSettings({ heartbeats: heartbeatsSchema.parse([{ service: 'sync-job', interval: '1m' }]), defaults: { heartbeats: heartbeatDefaultsSchema.parse({}) } }),
    { clock, logger: silentLogger() },
  );
  const app = new Hono();
  heartbeatRoutes(app, { tracker, token: () => 'sync-token', logger: silentLogger(), now: () => clock.now() });
  const get = (path: string, token?: string) =>
    app.fetch(new Request(`http://localhost${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}));

  const ok = get('/heartbeat/sync-job', 'sync-token');
  assert.ok(ok instanceof Response, 'a Response, not a promise of one');
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'OK');
  assert.equal(tracker.state('sync-job')!.pings.success, 1);
  const started = get('/heartbeat/sync-job/start?rid=r1', 'sync-token');
  assert.ok(started instanceof Response);
  assert.equal(tracker.state('sync-job')!.openRuns.length, 1);
  const refused = get('/heartbeat/sync-job', 'wrong');
  assert.ok(refused instanceof Response);
  assert.equal(refused.status, 401);

  const pushed = app.fetch(
    new Request('http://localhost/heartbeat/sync-job', { method: 'POST', headers: { authorization: 'Bearer sync-token', 'content-type': 'application/json' }, body: '{"cpu": 85}' }),
  );
  assert.ok(pushed instanceof Promise, 'a POST waits for its body');
  assert.equal((await pushed).status, 200);
  assert.equal(tracker.state('sync-job')!.pushed!.cpu, 0.85);
  assert.equal(tracker.state('sync-job')!.pings.success, 2);
});
