/**
 * Issue 9 sizing: 50 services probed every 10 s for 30 days, through the real probe history repo with an injected
 * clock, flushed and pruned as production does (flush after every probe round, prune every minute until it says
 * nothing more remains). Reports the database size (file + WAL, pages, free pages), row counts, elapsed time and
 * the cost of each flush and prune call (both run on the serving thread in production).
 *
 * Run: node bench/probe-history-size.ts [--services=50] [--interval=10] [--days=30] [--flush-every=10] [--keep=PATH] [--dir=DIR]
 *   --dir: where the database goes (default the OS temp dir; /dev/shm takes the disk's fsyncs out of the timings)
 *   --flush-every: simulated seconds between flushes (production: ~1 s; 10 s = one flush per probe round, which
 *   writes the same rows in 10× fewer transactions; see bench/README.md)
 */
import { mkdtempSync, rmSync, statSync, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/lib/clock.ts';
import type { FailureReason, ProbeResult } from '../src/probes/types.ts';
import { openDatabase } from '../src/store/db.ts';
import { createProbeHistoryRepo } from '../src/store/probe-history-repo.ts';
import { pct, writeResult } from './lib.ts';

const arg = (name: string, def: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : def;
};
const SERVICES = arg('services', 50);
const INTERVAL_S = arg('interval', 10);
const DAYS = arg('days', 30);
const FLUSH_EVERY_S = arg('flush-every', 10);
const keep = process.argv.find((x) => x.startsWith('--keep='))?.slice(7);

const dir = mkdtempSync(join(process.argv.find((x) => x.startsWith('--dir='))?.slice(6) ?? tmpdir(), 'prodpulse-history-bench-'));
const path = join(dir, 'prodpulse.db');
const db = openDatabase(path);
const start = Date.UTC(2026, 0, 1);
const clock = new ManualClock(start);
const history = createProbeHistoryRepo(db, { clock });

// deterministic pseudo-random numbers (mulberry32)
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const ids = Array.from({ length: SERVICES }, (_, i) => `payments-api-${String(i).padStart(3, '0')}`);
const reasons: FailureReason[] = ['timeout', 'connect', 'status', 'dns'];
const versions = ids.map(() => '2.1.0');

const flushMs: number[] = [];
const pruneMs: number[] = [];
let results = 0;
let events = 0;
const t0 = performance.now();
const end = start + DAYS * 86_400_000;
let nextFlush = start + FLUSH_EVERY_S * 1000;
let nextPrune = start + 60_000;
let lastReport = start;
for (let round = start; round < end; round += INTERVAL_S * 1000) {
  for (let i = 0; i < SERVICES; i++) {
    const ts = round + Math.floor((i * INTERVAL_S * 1000) / SERVICES);
    const ok = rand() > 0.01;
    const reason = ok ? null : reasons[Math.floor(rand() * reasons.length)]!;
    // a new version for one service about once a day
    if (rand() < INTERVAL_S / 86_400 / 1) {
      const old = versions[i]!;
      versions[i] = `2.1.${Number(old.split('.')[2]) + 1}`;
      history.recordEvent({ serviceId: ids[i]!, timestamp: ts, kind: 'version_change', from: old, to: versions[i]!, detail: '' });
      events++;
    }
    const r: ProbeResult = {
      serviceId: ids[i]!,
      timestamp: ts,
      ok,
      statusCode: ok ? 200 : reason === 'status' ? 503 : null,
      latencyMs: ok ? 8 + Math.round(-Math.log(1 - rand()) * 40 * 10) / 10 : reason === 'timeout' ? 5000 : 3 + rand() * 10,
      phases: {},
      version: ok || reason === 'status' ? versions[i]! : null,
      reason,
      errorMessage: ok ? null : reason === 'timeout' ? 'no answer within 5000 ms' : reason === 'status' ? 'HTTP 503 (expected 2xx)' : 'connect ECONNREFUSED 10.0.0.7:8080',
    };
    history.record(r);
    results++;
  }
  const now = round + INTERVAL_S * 1000;
  if (now >= nextFlush) {
    clock.advance(now - clock.now());
    const f0 = performance.now();
    history.flush();
    flushMs.push(performance.now() - f0);
    nextFlush += FLUSH_EVERY_S * 1000;
  }
  if (now >= nextPrune) {
    for (;;) {
      const p0 = performance.now();
      const p = history.prune();
      pruneMs.push(performance.now() - p0);
      if (!p.more) break;
    }
    nextPrune += 60_000;
  }
  if (now - lastReport >= 5 * 86_400_000) {
    lastReport = now;
    const size = statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
    console.error(`day ${Math.round((now - start) / 86_400_000)}: ${(size / 1048576).toFixed(1)} MB, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}
history.flush();
const elapsedS = (performance.now() - t0) / 1000;

const count = (table: string) => Number(db.sql.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()!.n);
const pragma = (name: string) => Number(Object.values(db.sql.prepare(`PRAGMA ${name}`).get()!)[0]);
const fileBytes = statSync(path).size;
const walBytes = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
const summary = {
  services: SERVICES,
  intervalSeconds: INTERVAL_S,
  days: DAYS,
  flushEverySeconds: FLUSH_EVERY_S,
  results,
  events,
  rows: { probe_results: count('probe_results'), probe_rollups: count('probe_rollups'), service_events: count('service_events') },
  dbFileMB: Math.round((fileBytes / 1048576) * 10) / 10,
  walMB: Math.round((walBytes / 1048576) * 10) / 10,
  pages: pragma('page_count'),
  freePages: pragma('freelist_count'),
  pageSize: pragma('page_size'),
  elapsedSeconds: Math.round(elapsedS),
  flushes: flushMs.length,
  flushMs: { p50: pct(flushMs, 50), p99: pct(flushMs, 99), p999: pct(flushMs, 99.9), max: flushMs.reduce((a, b) => Math.max(a, b), 0) },
  pruneCalls: pruneMs.length,
  pruneMs: { p50: pct(pruneMs, 50), p99: pct(pruneMs, 99), p999: pct(pruneMs, 99.9), max: pruneMs.reduce((a, b) => Math.max(a, b), 0) },
};
db.close();
console.log(JSON.stringify(summary, null, 2));
writeResult('probe-history-size.json', summary);
if (keep) renameSync(path, keep);
rmSync(dir, { recursive: true, force: true });
