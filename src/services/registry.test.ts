import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceDefinition } from '../probes/types.ts';
import { configService } from '../../test/support/services.ts';
import { openDatabase } from '../store/db.ts';
import { createServiceRegistryRepo } from '../store/service-registry-repo.ts';
import { createServiceRegistry, ServiceRegistryError, type RegistryChange } from './registry.ts';
import { DEFAULT_SERVICE_DEFAULTS, serviceView } from './service-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'prodpulse-registry-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `r${++n}.db`);

const open = (path: string, config: ServiceDefinition[] = [], maxServices?: number) => {
  const db = openDatabase(path);
  let t = 1000;
  const registry = createServiceRegistry({
    repo: createServiceRegistryRepo(db),
    now: () => t++,
    configServices: config,
    ...(maxServices ? { maxServices } : {}),
  });
  return { db, registry };
};

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServiceRegistryError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
};

test('create fills defaults, 409 on a taken id, persists across a re-open', () => {
  const path = freshPath();
  let { db, registry } = open(path);
  const s = registry.create({ id: 'payments', url: 'https://pay.example.com/health', expectedVersion: '2.1.0', headers: { Authorization: 'Bearer s3cret' } });
  assert.equal(s.source, 'api');
  assert.equal(s.name, 'payments');
  assert.equal(s.intervalMs, DEFAULT_SERVICE_DEFAULTS.intervalMs);
  assert.equal(s.failureThreshold, 3);
  assert.equal(s.enabled, true);
  assert.match(code(() => registry.create({ id: 'payments', url: 'http://x.example/' })), /^exists: service payments already exists/);
  registry.setEnabled('payments', false);
  db.close();

  ({ db, registry } = open(path));
  const again = registry.get('payments')!;
  assert.equal(again.enabled, false, 'disabled state survives');
  assert.equal(again.expectedVersion, '2.1.0');
  assert.deepEqual(again.headers, { Authorization: 'Bearer s3cret' }, 'stored for probing');
  assert.deepEqual(serviceView(again).headers, { Authorization: '***' }, 'redacted when shown');
  assert.ok(registry.entry('payments')!.createdAt! < registry.entry('payments')!.updatedAt!);
  db.close();
});

test('validation reports field paths; ids, urls, headers and strings are bounded', () => {
  const { db, registry } = open(freshPath());
  const bad = (body: unknown): string[] => {
    try {
      registry.create(body);
    } catch (err) {
      assert.ok(err instanceof ServiceRegistryError && err.code === 'invalid');
      return (err.details ?? []).map((d) => d.field);
    }
    return [];
  };
  assert.deepEqual(bad({ id: 'Payments', url: 'http://x.example/' }), ['id']);
  assert.deepEqual(bad({ id: 'a', url: 'ftp://x.example/' }), ['url']);
  assert.deepEqual(bad({ id: 'a', url: 'javascript:alert(1)' }), ['url']);
  assert.deepEqual(bad({ id: 'a', url: `http://x.example/${'a'.repeat(2100)}` }), ['url']);
  assert.deepEqual(bad({ id: 'a' }), ['url']);
  assert.deepEqual(bad({ id: 'a', url: 'http://x.example/', headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`h${i}`, 'v'])) }), ['headers']);
  assert.deepEqual(bad({ id: 'a', url: 'http://x.example/', headers: { 'X-A': 'a\r\nInjected: 1' } }), ['headers.X-A']);
  assert.deepEqual(bad({ id: 'a', url: 'http://x.example/', intervalSeconds: 5, timeoutSeconds: 10 }), ['timeoutSeconds']);
  assert.deepEqual(bad({ id: 'a', url: 'http://x.example/', expectedStatus: [200, 700] }), ['expectedStatus.1']);
  assert.deepEqual(bad({ id: 'a', url: 'http://x.example/', unknownField: 1 }), ['(body)']);
  assert.deepEqual(bad({ id: 'a', url: 'http://x.example/', version: { regex: 'v(\\d+)' } }), ['version']);
  assert.deepEqual(bad([]), ['(body)']);
  assert.equal(registry.list().length, 0, 'nothing stored');
  db.close();
});

test('config services are listed read-only, naming their file; they shadow an API service with the same id', () => {
  const { db, registry } = open(freshPath(), [configService('legacy', '/etc/prodpulse/services.json')]);
  assert.equal(registry.get('legacy')!.source, 'config');
  for (const attempt of [
    () => registry.patch('legacy', { name: 'x' }),
    () => registry.put('legacy', { url: 'http://x.example/' }),
    () => registry.remove('legacy'),
    () => registry.setEnabled('legacy', false),
  ])
    assert.match(code(attempt), /^read_only: .*\/etc\/prodpulse\/services\.json/);
  assert.match(code(() => registry.create({ id: 'legacy', url: 'http://x.example/' })), /^exists: .*services\.json/);

  registry.create({ id: 'api-one', url: 'http://one.example/' });
  registry.replaceConfigServices([configService('legacy'), configService('api-one', 'alerts.yaml')]);
  assert.equal(registry.get('api-one')!.source, 'config', 'the file wins');
  assert.equal(registry.list().length, 2);
  registry.replaceConfigServices([]);
  assert.equal(registry.get('api-one')!.source, 'api', 'the stored API service comes back');
  assert.equal(registry.get('legacy'), undefined);
  db.close();
});

test('put creates or replaces; patch merges, null resets to the default; the id cannot change', () => {
  const { db, registry } = open(freshPath());
  const created = registry.put('svc', { url: 'http://svc.example/', intervalSeconds: 10, method: 'HEAD' });
  assert.equal(created.created, true);
  assert.equal(created.service.intervalMs, 10_000);
  const replaced = registry.put('svc', { id: 'svc', url: 'http://svc2.example/' });
  assert.equal(replaced.created, false);
  assert.equal(replaced.service.method, 'GET', 'replace drops what the new body leaves out');
  assert.match(code(() => registry.put('svc', { id: 'other', url: 'http://x.example/' })), /^invalid: id in the body/);

  const p = registry.patch('svc', { intervalSeconds: 15, expectedVersion: '1.0', headers: { 'X-Key': 'k' } });
  assert.equal(p.intervalMs, 15_000);
  assert.equal(p.url, 'http://svc2.example/');
  assert.equal(p.expectedVersion, '1.0');
  const reset = registry.patch('svc', { intervalSeconds: null, expectedVersion: null });
  assert.equal(reset.intervalMs, DEFAULT_SERVICE_DEFAULTS.intervalMs);
  assert.equal(reset.expectedVersion, null);
  assert.deepEqual(reset.headers, { 'X-Key': 'k' });
  assert.match(code(() => registry.patch('svc', { id: 'renamed' })), /^invalid: the id cannot be changed/);
  assert.match(code(() => registry.patch('svc', { url: null })), /^invalid/);
  assert.match(code(() => registry.patch('nope', { name: 'x' })), /^not_found: no service with id nope/);
  assert.equal(registry.remove('svc').id, 'svc');
  assert.match(code(() => registry.remove('svc')), /^not_found/);
  db.close();
});

test('listeners hear every change; a throwing listener does not fail the write', () => {
  const { db, registry } = open(freshPath());
  const heard: RegistryChange[] = [];
  const errors: unknown[] = [];
  const reg2 = createServiceRegistry({ repo: createServiceRegistryRepo(db), now: () => 1, onListenerError: (e) => errors.push(e) });
  reg2.onChange(() => {
    throw new Error('listener bug');
  });
  reg2.create({ id: 'z', url: 'http://z.example/' });
  assert.equal(errors.length, 1);

  const off = registry.onChange((c) => heard.push(c));
  registry.create({ id: 'a', url: 'http://a.example/' });
  registry.setEnabled('a', false);
  registry.setEnabled('a', true);
  registry.patch('a', { name: 'A' });
  registry.put('a', { url: 'http://a.example/' });
  registry.remove('a');
  registry.replaceConfigServices([configService('c')]);
  registry.setDefaults({ ...DEFAULT_SERVICE_DEFAULTS, intervalMs: 60_000 });
  off();
  registry.create({ id: 'b', url: 'http://b.example/' });
  assert.deepEqual(
    heard.map((c) => c.kind),
    ['create', 'disable', 'enable', 'patch', 'replace', 'remove', 'config', 'defaults'],
  );
  assert.equal(registry.get('b')!.intervalMs, 60_000, 'new defaults apply to fields the body left out');
  assert.deepEqual(
    registry.enabled().map((s) => s.id),
    ['c', 'b'],
  );
  db.close();
});

test('at most maxServices services (config + API)', () => {
  const { db, registry } = open(freshPath(), [configService('c1'), configService('c2')], 3);
  registry.create({ id: 'a1', url: 'http://a.example/' });
  assert.match(code(() => registry.create({ id: 'a2', url: 'http://a.example/' })), /^limit: at most 3 services/);
  assert.match(code(() => registry.put('a2', { url: 'http://a.example/' })), /^limit/);
  registry.put('a1', { url: 'http://b.example/' }); // replacing is fine
  db.close();
});

test('a stored row that no longer validates is reported, not probed, and kept', () => {
  const path = freshPath();
  const db = openDatabase(path);
  createServiceRegistryRepo(db).insert('old', { id: 'old', url: 'gopher://old.example/' }, 1);
  const registry = createServiceRegistry({ repo: createServiceRegistryRepo(db), now: () => 2 });
  assert.equal(registry.get('old'), undefined);
  assert.deepEqual(
    registry.loadErrors().map((e) => [e.id, e.issues[0]!.field]),
    [['old', 'url']],
  );
  assert.ok(createServiceRegistryRepo(db).get('old'));
  db.close();
});
