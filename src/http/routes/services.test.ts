import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ManualClock } from '../../lib/clock.ts';
import { createLogger } from '../../lib/logger.ts';
import { ExpositionCache } from '../../metrics/exposition.ts';
import type { ProbeResult, ServiceDefinition } from '../../probes/types.ts';
import { createServiceRegistry } from '../../services/registry.ts';
import { SnapshotStore } from '../../snapshot/store.ts';
import { openDatabase, type Db } from '../../store/db.ts';
import { createProbeHistoryRepo, type ProbeHistoryRepo } from '../../store/probe-history-repo.ts';
import { createServiceRegistryRepo } from '../../store/service-registry-repo.ts';
import { configService, probeResult } from '../../../test/support/services.ts';
import { createHttpApp } from '../app.ts';
import { bearerGuard } from '../auth.ts';
import { servicesRoutes, serviceSummaries, type ServiceStatus } from './services.ts';

const dir = mkdtempSync(join(tmpdir(), 'prodpulse-services-routes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `s${++n}.db`);

const TOKEN = 'test-token-123';
const T0 = Date.UTC(2026, 2, 1, 12, 30);
const HOUR = 3_600_000;

interface Harness {
  request: (method: string, path: string, body?: unknown, opts?: { token?: string | null; raw?: string; headers?: Record<string, string> }) => Promise<{ status: number; json: any; headers: Headers }>;
  db: Db;
  history: ProbeHistoryRepo;
  clock: ManualClock;
  statuses: Map<string, ServiceStatus>;
  latest: Map<string, ProbeResult>;
  registry: ReturnType<typeof createServiceRegistry>;
}

/** The real app (createHttpApp) with the services routes and GET /health's services, on a SQLite file. */
function harness(path: string, config: ServiceDefinition[] = [configService('legacy', 'conf/services.json')]): Harness {
  const db = openDatabase(path);
  const clock = new ManualClock(T0);
  const history = createProbeHistoryRepo(db, { clock });
  const registry = createServiceRegistry({ repo: createServiceRegistryRepo(db), now: () => clock.now(), configServices: config });
  const statuses = new Map<string, ServiceStatus>();
  const latest = new Map<string, ProbeResult>();
  const deps = {
    registry,
    history,
    status: (id: string) => statuses.get(id) ?? 'UNKNOWN',
    latest: (id: string) => latest.get(id),
    writeGuard: bearerGuard(() => TOKEN),
    now: () => clock.now(),
  };
  const app = createHttpApp({
    exposition: new ExpositionCache(new Registry()),
    store: new SnapshotStore(10),
    clock,
    logger: createLogger({ destination: { write() {} } }),
    startedAt: T0,
    version: 'test',
    intervalMs: () => 5000,
    services: (env) => serviceSummaries(deps, env),
    extraRoutes: [(a) => servicesRoutes(a, deps)],
  });
  const request: Harness['request'] = async (method, p, body, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? TOKEN : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined = opts.raw;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await app.request(p, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      assert.fail(`${method} ${p}: not JSON (${res.status}): ${text.slice(0, 200)}`);
    }
    return { status: res.status, json, headers: res.headers };
  };
  return { request, db, history, clock, statuses, latest, registry };
}

test('CRUD: create 201 (409 when the id exists), get, list, put, patch, delete; header values redacted', async () => {
  const h = harness(freshPath());
  const created = await h.request('POST', '/services', {
    id: 'payments',
    name: 'Payments',
    url: 'https://user:pw@pay.example.com/health',
    expectedVersion: '2.1.0',
    environment: 'production',
    enabled: true,
    headers: { Authorization: 'Bearer very-secret' },
    intervalSeconds: 10,
  });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('location'), '/services/payments');
  assert.equal(created.json.source, 'api');
  assert.deepEqual(created.json.headers, { Authorization: '***' });
  assert.equal(created.json.url, 'https://[REDACTED]@pay.example.com/health');
  assert.equal(created.json.intervalSeconds, 10);
  assert.equal(created.json.status, 'UNKNOWN');
  assert.ok(!JSON.stringify(created.json).includes('very-secret'));

  const dup = await h.request('POST', '/services', { id: 'payments', url: 'http://x.example/' });
  assert.equal(dup.status, 409);
  assert.match(dup.json.error, /payments already exists/);

  const one = await h.request('GET', '/services/payments', undefined, { token: null });
  assert.equal(one.status, 200);
  assert.equal(one.json.name, 'Payments');
  assert.deepEqual(one.json.headers, { Authorization: '***' });

  const list = await h.request('GET', '/services', undefined, { token: null });
  assert.deepEqual(
    list.json.services.map((s: { id: string; source: string }) => [s.id, s.source]),
    [
      ['legacy', 'config'],
      ['payments', 'api'],
    ],
  );
  assert.equal((await h.request('GET', '/services?source=api', undefined, { token: null })).json.total, 1);

  const put = await h.request('PUT', '/services/orders', { url: 'http://orders.example/health' });
  assert.equal(put.status, 201);
  const replaced = await h.request('PUT', '/services/orders', { id: 'orders', url: 'http://orders.example/v2', environment: 'staging' });
  assert.equal(replaced.status, 200);
  assert.equal(replaced.json.environment, 'staging');

  const patched = await h.request('PATCH', '/services/orders', { timeoutSeconds: 2, expectedStatus: [200, 204] });
  assert.equal(patched.status, 200);
  assert.equal(patched.json.timeoutSeconds, 2);
  assert.deepEqual(patched.json.expectedStatus, [200, 204]);
  assert.equal(patched.json.url, 'http://orders.example/v2');

  const del = await h.request('DELETE', '/services/orders');
  assert.equal(del.status, 200);
  assert.equal(del.json.deleted.id, 'orders');
  assert.equal((await h.request('GET', '/services/orders')).status, 404);
  assert.equal((await h.request('DELETE', '/services/orders')).status, 404);
  h.db.close();
});

test('enable/disable by POST or PATCH; disabled services leave /health but keep their history', async () => {
  const h = harness(freshPath(), []);
  await h.request('POST', '/services', { id: 'a', url: 'http://a.example/' });
  h.history.record(probeResult('a', T0 - 1000, true));
  h.history.flush();
  const off = await h.request('POST', '/services/a/disable');
  assert.equal(off.status, 200);
  assert.equal(off.json.enabled, false);
  assert.deepEqual((await h.request('GET', '/health')).json.services, []);
  const detail = await h.request('GET', '/health/a');
  assert.equal(detail.status, 200, 'a disabled service still answers with its history');
  assert.equal(detail.json.checks.length, 1);
  const on = await h.request('PATCH', '/services/a/enable');
  assert.equal(on.json.enabled, true);
  assert.equal((await h.request('GET', '/health')).json.services.length, 1);
  assert.equal((await h.request('POST', '/services/zzz/enable')).status, 404);
  h.db.close();
});

test('config services are read-only: every write answers 409 naming the file', async () => {
  const h = harness(freshPath());
  const attempts: [string, string, unknown?][] = [
    ['PUT', '/services/legacy', { url: 'http://x.example/' }],
    ['PATCH', '/services/legacy', { name: 'x' }],
    ['DELETE', '/services/legacy'],
    ['POST', '/services/legacy/disable'],
    ['PATCH', '/services/legacy/enable'],
    ['POST', '/services', { id: 'legacy', url: 'http://x.example/' }],
  ];
  for (const [method, path, body] of attempts) {
    const res = await h.request(method, path, body);
    assert.equal(res.status, 409, `${method} ${path}`);
    assert.match(res.json.error, /conf\/services\.json/, `${method} ${path}`);
  }
  const legacy = (await h.request('GET', '/services/legacy')).json;
  assert.equal(legacy.source, 'config');
  assert.equal(legacy.file, 'conf/services.json');
  h.db.close();
});

test('API services survive a restart (re-opening the database)', async () => {
  const path = freshPath();
  let h = harness(path);
  await h.request('POST', '/services', { id: 'keep', url: 'http://keep.example/', expectedVersion: '1.0', headers: { 'X-Key': 'k1' } });
  await h.request('POST', '/services/keep/disable');
  h.db.close();
  h = harness(path);
  const res = await h.request('GET', '/services/keep');
  assert.equal(res.status, 200);
  assert.equal(res.json.enabled, false);
  assert.equal(res.json.expectedVersion, '1.0');
  assert.equal(res.json.source, 'api');
  h.db.close();
});

test('GET then PUT or PATCH of what GET showed keeps the stored secrets (URL credentials, header values) instead of storing the placeholders', async () => {
  const h = harness(freshPath());
  const url = 'http://probe:s3cretpw@svc.example:8080/health?token=t0ken123&x=1';
  assert.equal((await h.request('POST', '/services', { id: 'sec', url, headers: { Authorization: 'Bearer hdr-secret-1', 'X-Plain': 'p' } })).status, 201);
  const shown = (await h.request('GET', '/services/sec')).json;
  assert.equal(shown.url, 'http://[REDACTED]@svc.example:8080/health?token=[REDACTED]&x=1');
  assert.deepEqual(shown.headers, { Authorization: '***', 'X-Plain': '***' });

  // the whole GET body back with one change (read-only fields and a null expectedStatus included)
  const put = await h.request('PUT', '/services/sec', { ...shown, name: 'Renamed' });
  assert.equal(put.status, 200, JSON.stringify(put.json));
  let def = h.registry.get('sec')!;
  assert.equal(def.name, 'Renamed');
  assert.equal(def.url, url, 'the stored URL keeps its credentials');
  assert.deepEqual(def.headers, { Authorization: 'Bearer hdr-secret-1', 'X-Plain': 'p' });
  assert.equal(def.expectedStatus, undefined, 'null is the default (any 2xx)');

  const patch = await h.request('PATCH', '/services/sec', { url: shown.url, headers: { ...shown.headers, 'X-New': 'n' } });
  assert.equal(patch.status, 200, JSON.stringify(patch.json));
  def = h.registry.get('sec')!;
  assert.equal(def.url, url);
  assert.deepEqual(def.headers, { Authorization: 'Bearer hdr-secret-1', 'X-Plain': 'p', 'X-New': 'n' });

  // a placeholder that stands for nothing stored is refused, never sent as a credential
  const other = await h.request('PUT', '/services/sec', { url: 'http://[REDACTED]@elsewhere.example/', headers: { 'X-Unknown': '***' } });
  assert.equal(other.status, 400);
  assert.deepEqual(other.json.details.map((d: { field: string }) => d.field).sort(), ['headers.X-Unknown', 'url']);
  const post = await h.request('POST', '/services', { id: 'copy', url: shown.url });
  assert.equal(post.status, 400);
  assert.equal(h.registry.get('sec')!.url, url);
  h.db.close();
});

test('writes need the bearer token (401 JSON); reads do not', async () => {
  const h = harness(freshPath());
  for (const [method, path, body] of [
    ['POST', '/services', { id: 'a', url: 'http://a.example/' }],
    ['PUT', '/services/a', { url: 'http://a.example/' }],
    ['PATCH', '/services/a', { name: 'x' }],
    ['DELETE', '/services/a'],
    ['POST', '/services/a/enable'],
    ['PATCH', '/services/a/disable'],
  ] as [string, string, unknown?][]) {
    const missing = await h.request(method, path, body, { token: null });
    assert.equal(missing.status, 401, `${method} ${path}`);
    assert.equal(typeof missing.json.error, 'string');
    assert.equal((await h.request(method, path, body, { token: 'wrong' })).status, 401);
  }
  assert.equal((await h.request('GET', '/services', undefined, { token: null })).json.total, 1, 'nothing was created');
  h.db.close();
});

test('4xx errors are JSON: 400 with field paths, bad JSON, 404 naming the id, 413 for big bodies', async () => {
  const h = harness(freshPath());
  const invalid = await h.request('POST', '/services', { id: 'Bad Id', url: 'ftp://x', headers: { 'X-A': 1 } });
  assert.equal(invalid.status, 400);
  assert.deepEqual(invalid.json.details.map((d: { field: string }) => d.field).sort(), ['headers.X-A', 'id', 'url']);
  const noId = await h.request('POST', '/services', { name: 'Payments', url: 'http://pay.example/' });
  assert.equal(noId.status, 400);
  assert.deepEqual(noId.json.details.map((d: { field: string; message: string }) => [d.field, /^required: the service's id/.test(d.message)]), [['id', true]]);
  const notJson = await h.request('POST', '/services', undefined, { raw: '{nope', headers: { 'content-type': 'application/json' } });
  assert.equal(notJson.status, 400);
  assert.match(notJson.json.error, /JSON/);

  const missing = await h.request('GET', '/services/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error, 'no service with id "<script>alert(1)</script>"');
  const missingHealth = await h.request('GET', '/health/nope-svc');
  assert.equal(missingHealth.status, 404);
  assert.match(missingHealth.json.error, /nope-svc/);

  const big = await h.request('POST', '/services', { id: 'big', url: 'http://big.example/', name: 'x'.repeat(70 * 1024) });
  assert.equal(big.status, 413);
  assert.match(big.json.error, /64 KB/);
  const longId = 'a'.repeat(101);
  const badId = await h.request('PUT', `/services/${longId}`, { url: 'http://x.example/' });
  assert.equal(badId.status, 400);
  assert.equal(badId.json.details[0].field, 'id');
  const unknownRoute = await h.request('GET', '/services/a/b/c');
  assert.equal(unknownRoute.status, 404);
  h.db.close();
});

test('GET /health keeps status ok and adds one summary per enabled service; ?environment= filters', async () => {
  const h = harness(freshPath(), [configService('legacy', 'conf/services.json', { expectedVersion: '2.1.0' })]);
  await h.request('POST', '/services', { id: 'stage-api', url: 'http://s.example/', environment: 'staging', expectedVersion: '1.0.0' });
  await h.request('POST', '/services', { id: 'off', url: 'http://off.example/', enabled: false });
  h.statuses.set('legacy', 'HEALTHY');
  h.statuses.set('stage-api', 'DEGRADED');
  h.latest.set('legacy', probeResult('legacy', T0 - 5000, true, 12.345));
  h.latest.set('stage-api', probeResult('stage-api', T0 - 2000, true, 40, { version: '1.1.0' }));

  const res = await h.request('GET', '/health', undefined, { token: null });
  assert.equal(res.status, 200);
  assert.equal(res.json.status, 'ok');
  assert.equal(res.json.version, 'test');
  assert.deepEqual(res.json.services, [
    {
      serviceId: 'legacy',
      name: 'legacy',
      environment: 'production',
      status: 'HEALTHY',
      latencyMs: 12.3,
      version: '2.1.0',
      versionMatchesExpected: true,
      lastCheckedAt: new Date(T0 - 5000).toISOString(),
    },
    {
      serviceId: 'stage-api',
      name: 'stage-api',
      environment: 'staging',
      status: 'DEGRADED',
      latencyMs: 40,
      version: '1.1.0',
      versionMatchesExpected: false,
      lastCheckedAt: new Date(T0 - 2000).toISOString(),
    },
  ]);
  const staging = await h.request('GET', '/health?environment=staging');
  assert.deepEqual(
    staging.json.services.map((s: { serviceId: string }) => s.serviceId),
    ['stage-api'],
  );
  assert.deepEqual((await h.request('GET', '/health?environment=nowhere')).json.services, []);
  h.db.close();
});

test('GET /health/:id: last checks newest first, uptime 24h/7d/30d, latency p50/p95; limit 1-100', async () => {
  const h = harness(freshPath(), [configService('pay', 'conf/services.json', { expectedVersion: '2.1.0', degradedLatencyMs: 500 })]);
  // 3 days of checks every minute: latency 1..100 ms cycling, every 10th check fails
  const start = T0 - 3 * 24 * HOUR;
  for (let ts = start, i = 0; ts < T0; ts += 60_000, i++) {
    h.history.record(
      i % 10 === 9
        ? probeResult('pay', ts, false, 5000, { statusCode: null, reason: 'timeout', errorMessage: 'no answer within 5000 ms', version: null })
        : probeResult('pay', ts, true, (i % 100) + 1, i % 10 === 8 ? { version: '2.2.0', latencyMs: 800 } : {}),
    );
  }
  h.history.recordEvent({ serviceId: 'pay', timestamp: T0 - HOUR, kind: 'version_change', from: '2.1.0', to: '2.2.0', detail: '' });
  h.history.flush();
  h.statuses.set('pay', 'DOWN');

  const res = await h.request('GET', '/health/pay?limit=3', undefined, { token: null });
  assert.equal(res.status, 200);
  const body = res.json;
  assert.equal(body.service.id, 'pay');
  assert.equal(body.status, 'DOWN');
  assert.equal(body.checks.length, 3);
  assert.deepEqual(body.checks[0], {
    timestamp: new Date(T0 - 60_000).toISOString(),
    status: 'DOWN',
    statusCode: null,
    latencyMs: 5000,
    version: null,
    versionMatchesExpected: null,
    reason: 'timeout',
    errorMessage: 'no answer within 5000 ms',
  });
  assert.equal(body.checks[1].status, 'DEGRADED', 'slow and on another version');
  assert.equal(body.checks[1].versionMatchesExpected, false);
  assert.equal(body.checks[2].status, 'HEALTHY');
  assert.ok(Date.parse(body.checks[0].timestamp) > Date.parse(body.checks[1].timestamp));
  for (const w of ['24h', '7d', '30d']) {
    assert.equal(body.uptime[w].percent, 90, w);
    assert.ok(body.uptime[w].checks > 0);
  }
  assert.equal(body.uptime['24h'].checks, 24 * 60);
  assert.equal(body.uptime['30d'].checks, 3 * 24 * 60, 'only 3 days of data');
  assert.equal(body.latency.window, '24h');
  assert.equal(typeof body.latency.p50Ms, 'number');
  // the 800 ms checks are 1/9 of the successful ones: p95 lies in their bucket (600, 800]
  assert.ok(body.latency.p95Ms > 600 && body.latency.p95Ms <= 800, `p95 ${body.latency.p95Ms}`);
  assert.ok(body.latency.p50Ms > 40 && body.latency.p50Ms <= 60, `p50 ${body.latency.p50Ms}`);
  assert.equal(body.latency.samples, 24 * 60 * 0.9);
  assert.equal(body.events[0].kind, 'version_change');

  assert.equal((await h.request('GET', '/health/pay')).json.checks.length, 20, 'default limit');
  assert.equal((await h.request('GET', '/health/pay?limit=100')).json.checks.length, 100);
  for (const bad of ['0', '101', 'abc', '2.5', '']) {
    const r = await h.request('GET', `/health/pay?limit=${bad}`);
    assert.equal(r.status, 400, `limit=${bad}`);
    assert.match(r.json.error, /limit/);
  }
  h.db.close();
});
