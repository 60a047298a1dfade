/**
 * Real responses of every route, from a sidecar running in this process on 127.0.0.1, checked against the
 * response schemas of /openapi.json; and every route the app serves is in the document.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Collector } from '../../src/collectors/collector.ts';
import { CPU_METRICS } from '../../src/collectors/cpu.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createSidecar } from '../../src/sidecar.ts';
import { requestChecker, responseChecker } from '../support/openapi.ts';
import { startProbeTarget } from '../support/probe-target.ts';

const facts = async () => ({ hostname: 'h', os: 'linux', kernel: 'k', cpuModel: 'c', cpuCores: 1, arch: 'x64', bootTime: 0 }) as never;
const cpu: Collector = {
  name: 'cpu',
  kind: 'host',
  metrics: CPU_METRICS,
  collect: async () => ({ readings: [{ metric: 'host_cpu_usage_ratio', labels: { cpu: 'all' }, value: 0.97 }], summary: { usagePercent: 97 } }),
};

/** `origin`: a probe target on loopback, for the config service (read-only through the API) */
const config = (origin: string) => `
sampling: { interval: 1h }
storage: { path: ":memory:" }
server: { token: tok }
rules:
  - { alert: HighCpu, metric: host_cpu_usage_ratio, match: { cpu: all }, op: ">", threshold: 0.9, severity: critical, summary: "CPU at {{ .Value }}" }
maintenance:
  - { comment: window, matchers: [{ name: alertname, value: Nightly }], starts_at: "2020-01-01T00:00:00Z", ends_at: "2099-01-01T00:00:00Z" }
heartbeats:
  - { service: backup, interval: 1h }
  - { service: worker, interval: 1m, token: job-tok }
services:
  - { id: legacy, name: Legacy, url: "${origin}/health", expected_version: "2.0.0", environment: staging, interval: 1s, timeout: 500ms }
defaults:
  heartbeats: { auto_register: { enabled: true, max: 1 } }
`;

test('every route answers as /openapi.json says, and every route is documented', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-openapi-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const target = await startProbeTarget({ kind: 'json', version: '2.1.0' });
  t.after(() => target.close());
  const CONFIG = config(target.origin);
  const path = join(dir, 'alerts.yaml');
  await writeFile(path, CONFIG);
  const loaded = await loadConfigFile(path, { env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  const sidecar = await createSidecar(loaded.config, { logger: silentLogger(), collectors: [cpu], staticFacts: facts, channelThread: false, configPath: path, env: {} });

  const doc = (await (await sidecar.app.request('/openapi.json')).json()) as Parameters<typeof responseChecker>[0];
  const check = responseChecker(doc);
  const checkRequest = requestChecker(doc);
  const exercised = new Set<string>();
  const problems: string[] = [];
  let lastHeaders = new Headers();
  const call = async (method: string, template: string, url: string, expect: number, init: RequestInit = {}, base = '') => {
    const res = base ? await fetch(`${base}${url}`, { method, ...init }) : await sidecar.app.request(url, { method, ...init });
    lastHeaders = res.headers;
    const type = res.headers.get('content-type') ?? '';
    let body: unknown;
    if (template === '/events') {
      await res.body?.cancel();
      body = '';
    } else body = type.includes('json') ? await res.json() : await res.text();
    assert.equal(res.status, expect, `${method} ${url}: ${JSON.stringify(body).slice(0, 300)}`);
    problems.push(...check(method, template, res.status, type, body));
    // a JSON body the server took must be one the document accepts (not /analyze: its schema describes a valid
    // event, and elements that do not fit are counted in invalid_by_reason rather than refused; sent on purpose here)
    const sent = new Headers(init.headers).get('content-type') ?? '';
    if (res.status < 300 && template !== '/analyze' && sent.includes('json') && typeof init.body === 'string')
      problems.push(...checkRequest(method, template, JSON.parse(init.body)));
    exercised.add(`${method.toLowerCase()} ${template}`);
    return body as any;
  };

  // before the first sample
  await call('GET', '/ready', '/ready', 503);
  await call('GET', '/metrics', '/metrics', 503);
  await call('GET', '/metrics/live', '/metrics/live', 503);

  const listening = await sidecar.start({ host: '127.0.0.1', port: 0 });
  t.after(() => sidecar.stop(500));
  for (let i = 0; i < 200 && ((await (await sidecar.app.request('/alerts')).json()) as any).active.length === 0; i++) await new Promise((r) => setTimeout(r, 25));

  await call('GET', '/metrics', '/metrics', 200);
  await call('GET', '/metrics/live', '/metrics/live?history=3', 200);
  await call('GET', '/metrics/live', '/metrics/live?history=-1', 400);
  const health = await call('GET', '/health', '/health', 200);
  assert.deepEqual(health.services.map((s: { serviceId: string }) => s.serviceId), ['legacy']);
  assert.deepEqual((await call('GET', '/health', '/health?environment=production', 200)).services, []);
  await call('GET', '/ready', '/ready', 200);
  const alerts = await call('GET', '/alerts', '/alerts?limit=5', 200);
  assert.equal(alerts.active[0].alert, 'HighCpu');
  await call('GET', '/alerts', '/alerts?limit=0', 400);
  await call('GET', '/alerts/{fingerprint}', `/alerts/${alerts.active[0].fingerprint}`, 200);
  await call('GET', '/alerts/{fingerprint}', '/alerts/nope', 404);
  await call('GET', '/silences', '/silences', 200);
  const input = { matchers: [{ name: 'alertname', value: 'HighCpu' }], endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'test' };
  const json = (token?: string) => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });
  await call('POST', '/silences', '/silences', 401, { headers: json(), body: JSON.stringify(input) });
  await call('POST', '/silences', '/silences', 400, { headers: json('tok'), body: JSON.stringify({ ...input, matchers: [] }) });
  const created = await call('POST', '/silences', '/silences', 201, { headers: json('tok'), body: JSON.stringify(input) });
  await call('GET', '/silences/{id}', `/silences/${created.id}`, 200);
  await call('GET', '/silences/{id}', '/silences/nope', 404);
  await call('DELETE', '/silences/{id}', `/silences/${created.id}`, 200, { headers: json('tok') });
  await call('DELETE', '/silences/{id}', '/silences/nope', 404, { headers: json('tok') });
  await call('DELETE', '/silences/{id}', '/silences/maintenance-1', 409, { headers: json('tok') });
  await call('DELETE', '/silences/{id}', '/silences/maintenance-1', 401, { headers: json('wrong') });

  // the services registry: `legacy` comes from the config file (read-only), the rest through the API
  const svc = { id: 'orders', url: 'http://orders.example/health', headers: { 'X-Api-Key': 'secret' }, expectedStatus: [200, 204], version: { jsonPath: 'build.version' } };
  await call('POST', '/services', '/services', 401, { headers: json(), body: JSON.stringify(svc) });
  await call('POST', '/services', '/services', 400, { headers: json('tok'), body: JSON.stringify({ ...svc, url: 'ftp://x' }) });
  await call('POST', '/services', '/services', 400, { headers: json('tok'), body: JSON.stringify({ ...svc, version: { regex: '(a+)+$' } }) });
  await call('POST', '/services', '/services', 400, { headers: json('tok'), body: '{"id":' });
  await call('POST', '/services', '/services', 413, { headers: json('tok'), body: JSON.stringify({ ...svc, name: 'x'.repeat(64 * 1024) }) });
  // what the server refuses with a 400: the document refuses it too where JSON Schema can say so; the rest
  // (refinements) it can only describe in words: an http(s) URL, the API refusing a version regex, timeout ≤ interval
  const refusedByDoc = [{ ...svc, bogus: 1 }, { ...svc, id: 'Bad Id' }, { ...svc, headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`h${i}`, 'v'])) }, { ...svc, method: 'TRACE' }];
  const onlyInWords = [{ ...svc, url: 'ftp://x.example/' }, { ...svc, version: { regex: 'v(.*)' } }, { ...svc, intervalSeconds: 2, timeoutSeconds: 5 }];
  for (const body of [...refusedByDoc, ...onlyInWords]) await call('POST', '/services', '/services', 400, { headers: json('tok'), body: JSON.stringify(body) });
  for (const body of refusedByDoc) assert.notDeepEqual(checkRequest('POST', '/services', body), [], JSON.stringify(body));
  for (const body of onlyInWords) assert.deepEqual(checkRequest('POST', '/services', body), [], JSON.stringify(body));
  const orders = await call('POST', '/services', '/services', 201, { headers: json('tok'), body: JSON.stringify(svc) });
  assert.equal(orders.headers['X-Api-Key'], '***');
  assert.equal(lastHeaders.get('location'), '/services/orders');
  await call('POST', '/services', '/services', 409, { headers: json('tok'), body: JSON.stringify(svc) });
  await call('POST', '/services', '/services', 409, { headers: json('tok'), body: JSON.stringify({ ...svc, id: 'legacy' }) });
  const listed = await call('GET', '/services', '/services', 200);
  assert.deepEqual(listed.services.map((s: { id: string; source: string }) => `${s.id}:${s.source}`), ['legacy:config', 'orders:api']);
  assert.equal((await call('GET', '/services', '/services?source=config&environment=staging', 200)).total, 1);
  await call('GET', '/services/{id}', '/services/legacy', 200);
  await call('GET', '/services/{id}', '/services/orders', 200);
  await call('GET', '/services/{id}', '/services/nope', 404);
  await call('PUT', '/services/{id}', '/services/billing', 201, { headers: json('tok'), body: JSON.stringify({ url: 'http://billing.example/' }) });
  await call('PUT', '/services/{id}', '/services/billing', 200, { headers: json('tok'), body: JSON.stringify({ id: 'billing', url: 'http://billing.example/v2', environment: 'staging' }) });
  await call('PUT', '/services/{id}', '/services/billing', 400, { headers: json('tok'), body: JSON.stringify({ id: 'other', url: 'http://billing.example/' }) });
  await call('PUT', '/services/{id}', '/services/billing', 400, { headers: json('tok'), body: JSON.stringify({ url: 'http://b.example/', intervalSeconds: 2, timeoutSeconds: 5 }) });
  await call('PUT', '/services/{id}', '/services/legacy', 409, { headers: json('tok'), body: JSON.stringify({ url: 'http://x.example/' }) });
  await call('PUT', '/services/{id}', '/services/billing', 401, { headers: json('wrong'), body: JSON.stringify({ url: 'http://x.example/' }) });
  await call('PUT', '/services/{id}', '/services/billing', 413, { headers: json('tok'), body: 'x'.repeat(64 * 1024 + 1) });
  const patched = await call('PATCH', '/services/{id}', '/services/orders', 200, { headers: json('tok'), body: JSON.stringify({ expectedVersion: '3.0.0', headers: null, degradedLatencyMs: 250 }) });
  assert.deepEqual([patched.expectedVersion, patched.headers, patched.degradedLatencyMs], ['3.0.0', {}, 250]);
  await call('PATCH', '/services/{id}', '/services/orders', 400, { headers: json('tok'), body: JSON.stringify({ id: 'renamed' }) });
  await call('PATCH', '/services/{id}', '/services/orders', 400, { headers: json('tok'), body: JSON.stringify({ bogus: 1 }) });
  await call('PATCH', '/services/{id}', '/services/nope', 404, { headers: json('tok'), body: JSON.stringify({ name: 'x' }) });
  await call('PATCH', '/services/{id}', '/services/legacy', 409, { headers: json('tok'), body: JSON.stringify({ name: 'x' }) });
  await call('PATCH', '/services/{id}', '/services/orders', 401, { headers: json(), body: JSON.stringify({ name: 'x' }) });
  await call('PATCH', '/services/{id}', '/services/orders', 413, { headers: json('tok'), body: JSON.stringify({ name: 'x'.repeat(64 * 1024) }) });
  for (const action of ['enable', 'disable'] as const) {
    for (const method of ['POST', 'PATCH']) {
      const toggled = await call(method, `/services/{id}/${action}`, `/services/orders/${action}`, 200, { headers: json('tok') });
      assert.equal(toggled.enabled, action === 'enable');
      await call(method, `/services/{id}/${action}`, `/services/nope/${action}`, 404, { headers: json('tok') });
      await call(method, `/services/{id}/${action}`, `/services/legacy/${action}`, 409, { headers: json('tok') });
      await call(method, `/services/{id}/${action}`, `/services/orders/${action}`, 401, { headers: json() });
    }
  }
  // a disabled service still answers /health/{id}; the config one has checks once the probe ran
  await call('GET', '/health/{id}', '/health/orders', 200);
  let legacy: any;
  for (let i = 0; i < 200; i++) {
    legacy = await (await sidecar.app.request('/health/legacy?limit=5')).json();
    if (legacy.checks.length > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  legacy = await call('GET', '/health/{id}', '/health/legacy?limit=5', 200);
  assert.ok(legacy.checks.length > 0, 'the config service was probed');
  assert.equal(legacy.checks[0].versionMatchesExpected, false);
  assert.equal(legacy.service.source, 'config');
  await call('GET', '/health/{id}', '/health/legacy?limit=0', 400);
  await call('GET', '/health/{id}', '/health/legacy?limit=abc', 400);
  await call('GET', '/health/{id}', '/health/nope', 404);
  await call('DELETE', '/services/{id}', '/services/orders', 401, { headers: json('wrong') });
  await call('DELETE', '/services/{id}', '/services/legacy', 409, { headers: json('tok') });
  const deleted = await call('DELETE', '/services/{id}', '/services/orders', 200, { headers: json('tok') });
  assert.equal(deleted.deleted.id, 'orders');
  await call('DELETE', '/services/{id}', '/services/orders', 404, { headers: json('tok') });

  // heartbeat pings (server.token is set, so every ping carries a token: bearer, X-Prodpulse-Token, ?token= or the job's)
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  await call('GET', '/heartbeat/{service}', '/heartbeat/backup?token=tok', 200);
  await call('GET', '/heartbeat/{service}', '/heartbeat/backup', 401);
  await call('GET', '/heartbeat/{service}', '/heartbeat/backup?token=wrong', 401);
  await call('GET', '/heartbeat/{service}', `/heartbeat/backup?token=tok&rid=${'r'.repeat(129)}`, 400);
  const head = await sidecar.app.request('/heartbeat/backup?token=tok', { method: 'HEAD' });
  assert.equal(head.status, 200, 'HEAD is answered as GET');
  assert.equal(await head.text(), '');
  await call('GET', '/heartbeat/{service}/{action}', '/heartbeat/backup/start?rid=run-1', 200, { headers: bearer('tok') });
  await call('GET', '/heartbeat/{service}/{action}', '/heartbeat/backup/0?rid=run-1', 200, { headers: { 'x-prodpulse-token': 'tok' } });
  await call('GET', '/heartbeat/{service}/{action}', '/heartbeat/worker/fail', 200, { headers: bearer('job-tok') });
  await call('GET', '/heartbeat/{service}/{action}', '/heartbeat/backup/256', 400, { headers: bearer('tok') });
  await call('GET', '/heartbeat/{service}/{action}', '/heartbeat/backup/start', 401);
  const text = (token: string) => ({ 'content-type': 'text/plain', ...bearer(token) });
  await call('POST', '/heartbeat/{service}', '/heartbeat/backup', 200, { headers: text('tok'), body: 'backup done: 42 files' });
  await call('POST', '/heartbeat/{service}', '/heartbeat/worker', 200, { headers: json('job-tok'), body: JSON.stringify({ cpu: 40, memory: 55.5, latency_ms: 12, error_rate: 0.01 }) });
  await call('POST', '/heartbeat/{service}', '/heartbeat/worker', 400, { headers: json('job-tok'), body: JSON.stringify({ cpu: 140 }) });
  await call('POST', '/heartbeat/{service}', '/heartbeat/worker', 400, { headers: json('job-tok'), body: '{"cpu":' });
  await call('POST', '/heartbeat/{service}', '/heartbeat/backup', 413, { headers: text('tok'), body: 'x'.repeat(10 * 1024 + 1) });
  await call('POST', '/heartbeat/{service}', '/heartbeat/backup', 401, { headers: text('wrong'), body: 'x' });
  // auto_register (max 1): the first unknown name registers itself, the next one is refused
  await call('POST', '/heartbeat/{service}', '/heartbeat/newcomer', 200, { headers: text('tok'), body: 'hello' });
  await call('POST', '/heartbeat/{service}', '/heartbeat/another', 403, { headers: text('tok'), body: 'hello' });
  await call('POST', '/heartbeat/{service}', '/heartbeat/Not-Valid', 400, { headers: text('tok'), body: 'hello' });
  await call('POST', '/heartbeat/{service}/{action}', '/heartbeat/backup/fail', 200, { headers: text('tok'), body: 'disk full' });
  await call('POST', '/heartbeat/{service}/{action}', '/heartbeat/backup/2', 200, { headers: text('tok'), body: 'exit 2' });
  await call('POST', '/heartbeat/{service}/{action}', '/heartbeat/backup/stop', 400, { headers: text('tok'), body: '' });
  await call('POST', '/heartbeat/{service}/{action}', '/heartbeat/worker/0', 400, { headers: json('job-tok'), body: JSON.stringify({ error_rate: 2 }) });
  await call('POST', '/heartbeat/{service}/{action}', '/heartbeat/backup/fail', 413, { headers: text('tok'), body: 'x'.repeat(10 * 1024 + 1) });
  await call('POST', '/heartbeat/{service}/{action}', '/heartbeat/backup/fail', 401, { headers: text('wrong'), body: 'x' });
  const hbs = await call('GET', '/heartbeats', '/heartbeats', 200);
  assert.deepEqual(hbs.jobs.map((j: { service: string }) => j.service).sort(), ['backup', 'newcomer', 'worker']);
  const worker = await call('GET', '/heartbeats/{service}', '/heartbeats/worker', 200);
  assert.equal(worker.pushed.cpuPercent, 40);
  const backup = await call('GET', '/heartbeats/{service}', '/heartbeats/backup', 200);
  assert.equal(backup.lastMessage, 'exit 2');
  assert.equal(backup.lastExitCode, 2);
  await call('GET', '/heartbeats/{service}', '/heartbeats/nope', 404);

  // POST /analyze takes the write token
  const events = JSON.stringify([
    { service: 'email', timestamp: '2025-08-04T10:00:00Z' },
    { service: 'email', timestamp: '2025-08-04T10:05:00Z' },
    { service: 'sms', timestamp: 1754301600 },
    { service: '', timestamp: '2025-08-04T10:00:00Z' },
    { timestamp: 'yesterday' },
  ]);
  const analyzed = await call('POST', '/analyze', '/analyze?interval=60&allowed_misses=2&until=2025-08-04T10:10:00Z', 200, { headers: json('tok'), body: events });
  assert.equal(analyzed.valid_events, 3);
  assert.equal(analyzed.invalid_events, 2);
  assert.ok(analyzed.alerts_total > 0);
  const form = new FormData();
  form.append('file', new Blob([events], { type: 'application/json' }), 'events.json');
  const uploaded = await call('POST', '/analyze', '/analyze?until=now', 200, { headers: bearer('tok'), body: form });
  assert.equal(uploaded.total_events, 5);
  const noFile = new FormData();
  noFile.append('other', 'x');
  await call('POST', '/analyze', '/analyze', 400, { headers: bearer('tok'), body: noFile });
  await call('POST', '/analyze', '/analyze?interval=0', 400, { headers: json('tok'), body: events });
  await call('POST', '/analyze', '/analyze?bogus=1', 400, { headers: json('tok'), body: events });
  await call('POST', '/analyze', '/analyze?until=someday', 400, { headers: json('tok'), body: events });
  await call('POST', '/analyze', '/analyze', 400, { headers: json('tok'), body: '[{"service":' });
  await call('POST', '/analyze', '/analyze', 400, { headers: json('tok'), body: '{"service":"a"}' });
  await call('POST', '/analyze', '/analyze', 401, { headers: json(), body: events });
  await call('POST', '/analyze', '/analyze', 401, { headers: json('wrong'), body: events });
  // refused on the declared length, before a byte of the body is read
  await call('POST', '/analyze', '/analyze', 413, { headers: { ...json('tok'), 'content-length': String(64 * 1024 * 1024 + 1) }, body: '[]' });

  // two analyses waiting for their bodies hold both slots (the sidecar runs 2 at once): the third is a 503
  const held: ReadableStreamDefaultController<Uint8Array>[] = [];
  const slow = () =>
    sidecar.app.request('/analyze', {
      method: 'POST',
      headers: { ...json('tok'), 'content-length': '2' },
      // pulled only once the handler reads the body, i.e. once it holds a slot
      body: new ReadableStream<Uint8Array>({ pull: (ctl) => void (held.includes(ctl) || held.push(ctl)) }, { highWaterMark: 0 }),
      duplex: 'half',
    } as RequestInit);
  const pending = [slow(), slow()];
  for (let i = 0; i < 1000 && held.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(held.length, 2, 'both analyses are reading their bodies');
  await call('POST', '/analyze', '/analyze', 503, { headers: json('tok'), body: events });
  for (const ctl of held) {
    ctl.enqueue(new TextEncoder().encode('[]'));
    ctl.close();
  }
  assert.deepEqual(await Promise.all(pending.map(async (p) => (await p).status)), [200, 200]);
  await call('POST', '/analyze', '/analyze', 200, { headers: json('tok'), body: '[]' });

  // with auto_register off, an unknown name is a 404 (config reloaded from the file)
  await writeFile(path, CONFIG.replace('enabled: true', 'enabled: false'));
  assert.deepEqual(await sidecar.reload('test'), { ok: true, errors: [] });
  await call('GET', '/heartbeat/{service}', '/heartbeat/stranger?token=tok', 404);
  await call('POST', '/heartbeat/{service}', '/heartbeat/stranger', 404, { headers: text('tok'), body: 'x' });
  await call('GET', '/heartbeat/{service}/{action}', '/heartbeat/stranger/start?token=tok', 404);
  await call('POST', '/heartbeat/{service}/{action}', '/heartbeat/stranger/1', 404, { headers: text('tok'), body: 'x' });

  await call('GET', '/', '/', 200);
  await call('GET', '/events', '/events', 200, {}, listening.url);
  await call('GET', '/ui/services/{id}', '/ui/services/none', 404);
  await call('GET', '/ui/services/{id}/data', '/ui/services/none/data', 404);
  await call('GET', '/ui/fragments/{id}', '/ui/fragments/active-alerts', 200);
  await call('GET', '/ui/fragments/{id}', '/ui/fragments/nope', 404);
  await call('GET', '/assets/{name}', '/assets/dashboard.js', 200);
  await call('GET', '/assets/{name}', '/assets/nope.js', 404);
  await call('GET', '/openapi.json', '/openapi.json', 200);
  await call('GET', '/docs', '/docs', 200);

  assert.deepEqual(problems, []);

  // every route the app serves is documented, and every documented operation was called above
  const served = new Set(
    sidecar.app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`),
  );
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`)));
  assert.deepEqual([...served].filter((r) => !documented.has(r)), [], 'served but not documented');
  assert.deepEqual([...documented].filter((r) => !served.has(r)), [], 'documented but not served');
  assert.deepEqual([...documented].filter((r) => !exercised.has(r)), [], 'documented but not checked against a real response');
});
