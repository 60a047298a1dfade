/**
 * Evidence for src/store/db.ts's wal_autocheckpoint: how long a COMMIT holds the thread when it also runs the WAL
 * checkpoint. 40 rounds × 20 transactions of 200 upserts of 500-byte rows (the notifier's chunk size), WAL mode,
 * for each setting; reports the row-writing time and the COMMIT time per transaction.
 * Run: node bench/sqlite-commit.ts [AUTOCHECKPOINT ...] [--sync=NORMAL|FULL|OFF]
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pct, writeResult } from './lib.ts';

const sync = process.argv.find((a) => a.startsWith('--sync='))?.slice(7) ?? 'NORMAL';
const settings = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
if (settings.length === 0) settings.push(1000, 100);
const rows = [];
for (const auto of settings) {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-sqlite-'));
  const db = new DatabaseSync(join(dir, 'b.db'));
  db.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=${sync}; PRAGMA wal_autocheckpoint=${auto}; CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)`);
  const ins = db.prepare('INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v');
  const payload = 'x'.repeat(500);
  const write: number[] = [];
  const commit: number[] = [];
  for (let round = 0; round < 40; round++) {
    for (let chunk = 0; chunk < 20; chunk++) {
      const t0 = performance.now();
      db.exec('BEGIN IMMEDIATE');
      for (let i = 0; i < 200; i++) ins.run(`k${chunk * 200 + i}`, payload + round);
      const t1 = performance.now();
      db.exec('COMMIT');
      write.push(t1 - t0);
      commit.push(performance.now() - t1);
    }
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const r = {
    wal_autocheckpoint: auto,
    synchronous: sync,
    transactions: commit.length,
    writeMs: { p50: pct(write, 50), max: Math.max(...write) },
    commitMs: { p50: pct(commit, 50), p99: pct(commit, 99), max: Math.max(...commit) },
    commitsOver5ms: commit.filter((c) => c > 5).length,
  };
  rows.push(r);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
writeResult('sqlite-commit.json', rows);
