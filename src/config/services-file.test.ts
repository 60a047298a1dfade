import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixturePath, missingFixture } from '../../test/support/fixtures.ts';
import { configFiles, configFromServicesFile, loadConfigFile } from './load.ts';
import { serviceDefinitions } from './services.ts';
import { loadServicesFile, parseServicesFile } from './services-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'prodpulse-services-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const errorsOf = (text: string) => {
  const r = parseServicesFile(text, 'services.json');
  assert.equal(r.ok, false, 'expected the file to be rejected');
  return r.ok ? [] : r.errors;
};

test('the array format loads unchanged: group is the environment, ids from names', { skip: missingFixture('services-array-format.json') }, async () => {
  const file = fixturePath('services-array-format.json');
  const r = await loadServicesFile(file);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.equal(r.format, 'array');
  assert.deepEqual(
    r.services.map((s) => [s.id, s.name, s.url, s.expectedVersion, s.environment, s.enabled, s.file]),
    [
      ['payment-gateway', 'Payment Gateway', 'http://payment-api:8080/health', '3.1.5', 'production', true, file],
      ['user-profile-service', 'User Profile Service', 'http://profile-service/status', null, 'staging', true, file],
      ['legacy-reporting-tool', 'Legacy Reporting Tool', 'http://legacy-tool/v1', '1.0.0-beta', 'dev', true, file],
    ],
  );
});

test('the object format loads unchanged, disabled services included', { skip: missingFixture('services-object-format.json') }, async () => {
  const r = await loadServicesFile(fixturePath('services-object-format.json'));
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.equal(r.format, 'object');
  assert.equal(r.services.length, 10);
  const ex = r.services.find((s) => s.id === 'example-api')!;
  assert.deepEqual([ex.name, ex.expectedVersion, ex.environment, ex.enabled], ['Example External API', '1.0.0', 'staging', false]);
  assert.equal(r.services.find((s) => s.id === 'self-ping')!.name, '[My service] Self Ping Service');
});

test('the small object format', { skip: missingFixture('services-object-format.small.json') }, async () => {
  const r = await loadServicesFile(fixturePath('services-object-format.small.json'));
  assert.ok(r.ok);
  assert.deepEqual(r.services.map((s) => s.id), ['github']);
});

test('bad variants: missing url, bad environment type, wrong type; every bad entry named, by line', async () => {
  const src = readFileSync(fixturePath('services-array-format.json'), 'utf8');
  const arr = JSON.parse(src) as Record<string, unknown>[];
  delete arr[1]!.url;
  arr[2]!.group = 42;
  const file = write('array-bad.json', JSON.stringify(arr, null, 2));
  const r = await loadServicesFile(file);
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? [] : r.errors, [
    `${file}:8:3: [1].url: Invalid input: expected string, received undefined (service "User Profile Service")`,
    `${file}:17:14: [2].group: Invalid input: expected string, received number (service "Legacy Reporting Tool")`,
  ]);

  const obj = [
    '{',
    '  "services": [',
    '    { "id": "a", "name": "A", "url": "http://a/", "expectedVersion": null, "environment": "production", "enabled": true },',
    '    { "id": "b", "name": "B", "url": "http://b/", "expectedVersion": null, "environment": ["prod"], "enabled": true },',
    '    { "id": "c", "name": "C", "url": "http://c/", "expectedVersion": null, "environment": "dev", "enabled": "yes" },',
    '    { "id": "d", "name": "D", "expectedVersion": null, "environment": "dev" }',
    '  ]',
    '}',
  ].join('\n');
  assert.deepEqual(errorsOf(obj), [
    'services.json:4:91: services[1].environment: Invalid input: expected string, received array (service "B")',
    'services.json:5:109: services[2].enabled: Invalid input: expected boolean, received string (service "C")',
    'services.json:6:5: services[3].url: Invalid input: expected string, received undefined (service "D")',
  ]);
});

test('structure errors: not JSON, the wrong root, unknown keys, duplicate ids, a non-HTTP URL', () => {
  assert.match(errorsOf('{"services": [ {"name": "x", ')[0]!, /^services\.json:1:\d+: /);
  assert.deepEqual(errorsOf('"hello"'), ['services.json:1:1: (root): expected {"services": [ … ]} or a list of services [ … ]']);
  assert.deepEqual(errorsOf('[\n  {"name": "A", "url": "http://a/", "colour": "red"}\n]'), ['services.json:2:37: [0].colour: unknown key "colour" (service "A")']);
  assert.deepEqual(errorsOf('[\n  {"name": "A B", "url": "http://a/"},\n  {"name": "a-b", "url": "http://b/"}\n]'), [
    'services.json:3:12: [1].name: duplicate service id "a-b" (also [0]) (service "a-b")',
  ]);
  assert.deepEqual(errorsOf('{"services": [{"name": "F", "url": "file:///etc/passwd"}]}'), [
    'services.json:1:36: services[0].url: only http:// and https:// URLs can be probed, not file:// (service "F")',
  ]);
});

test('a .json given as the config: shipped rules and channels, the file services', { skip: missingFixture('services-array-format.json') }, async () => {
  const r = await loadConfigFile(fixturePath('services-array-format.json'), { env: {} });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.ok(r.config.rules.some((x) => x.alert === 'HostHighCpu'));
  assert.ok(r.config.rules.some((x) => x.alert === 'ServiceDown'), 'the shipped service rules');
  const defs = serviceDefinitions(r.config);
  assert.equal(defs.length, 3);
  assert.equal(defs[0]!.intervalMs, 30_000);
  assert.equal(defs[0]!.file, fixturePath('services-array-format.json'));
  assert.deepEqual(configFiles(fixturePath('services-array-format.json'), r.config), [fixturePath('services-array-format.json')]);
  const bad = await configFromServicesFile(write('bad.json', '[{"name": "x"}]'), { env: {} });
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.errors[0]!, /bad\.json:1:2: \[0\]\.url: /);
});

test('services_file in alerts.yaml: relative to the config file, ids unique across both', async () => {
  write('svc.json', '{"services": [{"id": "one", "name": "One", "url": "http://one/"}]}');
  const cfg = write('alerts.yaml', 'services_file: svc.json\nservices:\n  - name: Two\n    url: http://two/\n');
  const r = await loadConfigFile(cfg, { env: {} });
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.deepEqual(serviceDefinitions(r.config).map((s) => [s.id, s.file ?? 'yaml']), [
    ['two', 'yaml'],
    ['one', join(dir, 'svc.json')],
  ]);
  assert.deepEqual(configFiles(cfg, r.config), [cfg, join(dir, 'svc.json')], 'the watcher watches both files');
  const clash = write('clash.yaml', 'services_file: svc.json\nservices:\n  - name: One\n    url: http://two/\n');
  const c = await loadConfigFile(clash, { env: {} });
  assert.deepEqual(c.ok ? [] : c.errors, [`${join(dir, 'svc.json')}:1:22: services[0].id: duplicate service id "one" (also services[0] of the config file) (service "One")`]);
  const missing = await loadConfigFile(write('missing.yaml', 'services_file: nope.json\n'), { env: {} });
  assert.match(missing.ok ? '' : missing.errors[0]!, /nope\.json:1:1: cannot read services file: ENOENT/);
});
