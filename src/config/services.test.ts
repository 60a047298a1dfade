import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from './load.ts';
import { serviceDefinitions, serviceIdFromName } from './services.ts';

const load = (text: string, env: Record<string, string> = {}) => {
  const r = parseConfigText(text, 'alerts.yaml', { env });
  if (!r.ok) assert.fail(r.errors.join('\n'));
  return r.config;
};
const errorsOf = (text: string) => {
  const r = parseConfigText(text, 'alerts.yaml', { env: {} });
  assert.equal(r.ok, false, 'expected the config to be rejected');
  return r.ok ? [] : r.errors;
};

test('a minimal service gets the issue defaults; the id is derived from the name', () => {
  const c = load('services:\n  - name: Payment Gateway\n    url: http://payments:8080/health\n');
  assert.deepEqual(serviceDefinitions(c), [
    {
      id: 'payment-gateway',
      name: 'Payment Gateway',
      url: 'http://payments:8080/health',
      expectedVersion: null,
      environment: 'production',
      enabled: true,
      intervalMs: 30_000,
      timeoutMs: 5_000,
      method: 'GET',
      headers: {},
      expectedStatus: undefined,
      followRedirects: false,
      degradedLatencyMs: undefined,
      failureThreshold: 3,
      successThreshold: 1,
      version: undefined,
      source: 'config',
    },
  ]);
});

test('defaults.services apply unless a service sets its own; headers merge by name in any case; ${VAR} secrets', () => {
  const c = load(
    [
      'defaults:',
      '  services:',
      '    interval: 10s',
      '    timeout: 2s',
      '    environment: staging',
      '    headers: { Authorization: "Bearer ${API_TOKEN}", X-Team: core }',
      '    failure_threshold: 2',
      'services:',
      '  - id: payments',
      '    name: Payments',
      '    url: https://payments.example.com/health',
      '    expected_version: 2.1.0',
      '    method: head',
      '    headers: { authorization: "Bearer other" }',
      '    expected_status: [200, 204]',
      '    follow_redirects: true',
      '    degraded_latency: 300ms',
      '    success_threshold: 2',
      '    version: { json_path: build.version }',
      '  - name: Search',
      '    url: http://search/health',
      '    environment: production',
      '    enabled: false',
      '    version: { regex: "v(\\\\d+\\\\.\\\\d+)" }',
    ].join('\n'),
    { API_TOKEN: 'tok-123456' },
  );
  const [p, s] = serviceDefinitions(c);
  assert.equal(p!.intervalMs, 10_000);
  assert.equal(p!.timeoutMs, 2_000);
  assert.equal(p!.environment, 'staging');
  assert.equal(p!.method, 'HEAD');
  assert.deepEqual(p!.headers, { 'X-Team': 'core', authorization: 'Bearer other' });
  assert.deepEqual(p!.expectedStatus, [200, 204]);
  assert.equal(p!.followRedirects, true);
  assert.equal(p!.degradedLatencyMs, 300);
  assert.equal(p!.failureThreshold, 2);
  assert.equal(p!.successThreshold, 2);
  assert.equal(p!.expectedVersion, '2.1.0');
  assert.deepEqual(p!.version, { json_path: 'build.version' });
  assert.equal(s!.id, 'search');
  assert.equal(s!.environment, 'production');
  assert.equal(s!.enabled, false);
  assert.deepEqual(s!.headers, { Authorization: 'Bearer tok-123456', 'X-Team': 'core' });
  assert.deepEqual(s!.version, { regex: 'v(\\d+\\.\\d+)' });
});

test('numbers as expected_version become strings', () => {
  const c = load('services:\n  - name: a\n    url: http://a/\n    expected_version: 2.1\n');
  assert.equal(serviceDefinitions(c)[0]!.expectedVersion, '2.1');
});

test('bad services are rejected with line, column and path', () => {
  assert.deepEqual(errorsOf('services:\n  - name: a\n    url: ftp://a/x\n'), ['alerts.yaml:3:10: services[0].url: only http:// and https:// URLs can be probed, not ftp://']);
  assert.deepEqual(errorsOf('services:\n  - url: http://a/\n'), ['alerts.yaml:2:5: services[0]: a service needs an id or a name']);
  assert.deepEqual(errorsOf('services:\n  - name: "!!!"\n    url: http://a/\n'), ['alerts.yaml:2:11: services[0].name: cannot derive an id from this name (no letters or digits); set id']);
  assert.deepEqual(errorsOf('services:\n  - name: a\n    url: http://a/\n    timeout: 40s\n'), ['alerts.yaml:4:14: services[0].timeout: timeout (40000ms) must not exceed the interval (30000ms)']);
  assert.deepEqual(errorsOf('services:\n  - name: a\n    url: http://a/\n    version: { regex: "(a+)+" }\n'), [
    'alerts.yaml:4:23: services[0].version.regex: nested quantifiers like (a+)+ are not allowed in version patterns (catastrophic backtracking)',
  ]);
  assert.deepEqual(errorsOf('services:\n  - name: a\n    url: http://a/\n    version: { header: X-V, json_path: v }\n'), [
    'alerts.yaml:4:14: services[0].version: set exactly one of json_path, header or regex',
  ]);
  assert.deepEqual(errorsOf('services:\n  - name: A b\n    url: http://a/\n  - id: a-b\n    url: http://b/\n'), ['alerts.yaml:4:9: services[1].id: duplicate service id "a-b" (also services[0])']);
  assert.deepEqual(errorsOf('services:\n  - name: a\n    url: http://a/\n    method: FETCH\n'), ['alerts.yaml:4:13: services[0].method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS']);
  assert.deepEqual(errorsOf('services:\n  - name: a\n    url: http://a/\n    expected_status: 99\n'), [
    'alerts.yaml:4:22: services[0].expected_status: Too small: expected number to be >=100',
  ]);
  assert.deepEqual(errorsOf('services:\n  - name: a\n    url: http://a/\n    colour: red\n'), ['alerts.yaml:4:5: services[0].colour: unknown key "colour"']);
});

test('slugs', () => {
  assert.equal(serviceIdFromName('[My service] Self Ping Service'), 'my-service-self-ping-service');
  assert.equal(serviceIdFromName('Café Über'), 'cafe-uber');
  assert.equal(serviceIdFromName('---'), undefined);
});
