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
import { responseChecker } from '../support/openapi.ts';

const facts = async () => ({ hostname: 'h', os: 'linux', kernel: 'k', cpuModel: 'c', cpuCores: 1, arch: 'x64', bootTime: 0 }) as never;
const cpu: Collector = {
  name: 'cpu',
  kind: 'host',
  metrics: CPU_METRICS,
  collect: async () => ({ readings: [{ metric: 'host_cpu_usage_ratio', labels: { cpu: 'all' }, value: 0.97 }], summary: { usagePercent: 97 } }),
};

const CONFIG = `
sampling: { interval: 1h }
storage: { path: ":memory:" }
server: { token: tok }
rules:
  - { alert: HighCpu, metric: host_cpu_usage_ratio, match: { cpu: all }, op: ">", threshold: 0.9, severity: critical, summary: "CPU at {{ .Value }}" }
maintenance:
  - { comment: window, matchers: [{ name: alertname, value: Nightly }], starts_at: "2020-01-01T00:00:00Z", ends_at: "2099-01-01T00:00:00Z" }
`;

test('every route answers as /openapi.json says, and every route is documented', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-openapi-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'alerts.yaml');
  await writeFile(path, CONFIG);
  const loaded = await loadConfigFile(path, { env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  const sidecar = await createSidecar(loaded.config, { logger: silentLogger(), collectors: [cpu], staticFacts: facts, channelThread: false });

  const doc = (await (await sidecar.app.request('/openapi.json')).json()) as Parameters<typeof responseChecker>[0];
  const check = responseChecker(doc);
  const exercised = new Set<string>();
  const problems: string[] = [];
  const call = async (method: string, template: string, url: string, expect: number, init: RequestInit = {}, base = '') => {
    const res = base ? await fetch(`${base}${url}`, { method, ...init }) : await sidecar.app.request(url, { method, ...init });
    const type = res.headers.get('content-type') ?? '';
    let body: unknown;
    if (template === '/events') {
      await res.body?.cancel();
      body = '';
    } else body = type.includes('json') ? await res.json() : await res.text();
    assert.equal(res.status, expect, `${method} ${url}: ${JSON.stringify(body).slice(0, 300)}`);
    problems.push(...check(method, template, res.status, type, body));
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
  await call('GET', '/health', '/health', 200);
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
