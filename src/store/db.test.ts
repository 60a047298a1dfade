import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { appliedVersions, openDatabase, readMigrations } from './db.ts';

test('in-memory database gets every migration recorded, in order', () => {
  const db = openDatabase(':memory:');
  const files = readMigrations();
  assert.ok(files.length >= 1);
  assert.deepEqual(appliedVersions(db), files.map((m) => m.version));
  const tables = db.sql.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
  for (const t of ['alert_history', 'alert_state', 'notification_records', 'outbox', 'schema_migrations', 'silences']) assert.ok(tables.includes(t), t);
  db.close();
});

test('file database: creates the parent directory, uses WAL, reopening applies nothing twice', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'nested', 'deeper', 'state.db');
  const db1 = openDatabase(path);
  assert.ok(existsSync(path));
  assert.equal(db1.sql.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
  assert.ok(Number(db1.sql.prepare('PRAGMA busy_timeout').get()?.timeout) > 0);
  db1.sql.prepare("INSERT INTO alert_state (fingerprint, state, updated_at) VALUES ('a', '{}', 1)").run();
  db1.close();
  const db2 = openDatabase(path);
  assert.equal(db2.sql.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()?.n, readMigrations().length);
  assert.equal(db2.sql.prepare('SELECT COUNT(*) AS n FROM alert_state').get()?.n, 1);
  db2.close();
});

test('a later migration is applied on reopen; a failing one rolls back and names the file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-mig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const migs = join(dir, 'migrations');
  mkdirSync(migs);
  writeFileSync(join(migs, '001-a.sql'), 'CREATE TABLE a (x INTEGER);');
  writeFileSync(join(migs, 'README.txt'), 'not a migration');
  const path = join(dir, 'x.db');
  openDatabase(path, { migrationsDir: migs }).close();
  writeFileSync(join(migs, '010-c.sql'), 'CREATE TABLE c (x INTEGER); INSERT INTO nope VALUES (1);');
  writeFileSync(join(migs, '002-b.sql'), 'CREATE TABLE b (x INTEGER);');
  assert.throws(() => openDatabase(path, { migrationsDir: migs }), /migration 010-c\.sql failed/);
  const raw = new DatabaseSync(path);
  t.after(() => raw.close());
  assert.deepEqual(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version), [1, 2]);
  const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
  assert.ok(tables.includes('b'));
  assert.ok(!tables.includes('c'), 'the failed migration left no table behind');
});

test('duplicate migration versions are refused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-dup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '001-a.sql'), 'SELECT 1;');
  writeFileSync(join(dir, '001-b.sql'), 'SELECT 1;');
  assert.throws(() => readMigrations(dir), /duplicate migration version 1/);
});

test('storage that cannot be used fails at once with one line naming storage.path and the reason', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { StorageError } = await import('./db.ts');
  const dir = mkdtempSync(join(tmpdir(), 'pp-storage-'));
  const notDb = join(dir, 'not.db');
  writeFileSync(notDb, 'x'.repeat(4096));
  writeFileSync(join(dir, 'file'), 'x');
  const cases: [string, RegExp][] = [
    ['/proc/prodpulse-nope/x.db', /^storage\.path "\/proc\/prodpulse-nope\/x\.db": /],
    ['/proc/x.db', /^storage\.path "\/proc\/x\.db": /],
    [notDb, /: the file exists but is not an SQLite database$/],
    [join(dir, 'file', 'x.db'), /is not a directory$/],
  ];
  for (const [path, re] of cases) {
    assert.throws(() => openDatabase(path), (e: unknown) => e instanceof StorageError && re.test(e.message) && !e.message.includes('\n'), path);
  }
});
