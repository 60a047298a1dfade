import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
const run = (args: string[], cwd: string) => spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'production' } });

test('serve with unusable storage exits non-zero with one line naming storage.path and the reason (no stack, no spin)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-start-'));
  writeFileSync(join(dir, 'garbage.db'), 'not sqlite at all '.repeat(500));
  for (const [path, reason] of [
    ['/proc/prodpulse-test/x.db', /storage\.path "\/proc\/prodpulse-test\/x\.db": /],
    [join(dir, 'garbage.db'), /not an SQLite database/],
  ] as const) {
    writeFileSync(join(dir, 'alerts.yaml'), `storage: { path: "${path}" }\n`);
    const r = run(['serve', '--config', join(dir, 'alerts.yaml'), '--listen', '127.0.0.1:0'], dir);
    assert.equal(r.signal, null, `timed out for ${path}`);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^cannot start: /);
    assert.match(lines[0]!, reason);
  }
});

test('check prints errors for what serve refuses, and warnings (exit 0) for rules that can never fire', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-check-'));
  writeFileSync(join(dir, 'bad.yaml'), 'server:\n  listen: nope\n  tls: { cert_file: /nonexistent/c.pem, key_file: /nonexistent/k.pem }\n');
  let r = run(['check', join(dir, 'bad.yaml')], dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.yaml:2:11: server\.listen: invalid listen address/);
  writeFileSync(join(dir, 'warn.yaml'), 'rules:\n  - { alert: A, metric: host_lod1, op: ">", threshold: 1 }\n');
  r = run(['check', join(dir, 'warn.yaml')], dir);
  assert.equal(r.status, 0);
  assert.match(r.stderr, /warn\.yaml:2:25: rules\[0\]\.metric: warning: .*did you mean "host_load1"/);
  assert.match(r.stdout, /ok: .*; 1 warning$/m);
});
