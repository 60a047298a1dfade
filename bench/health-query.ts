/**
 * Issue 9 target: `GET /health/:id?limit=100` p99 ≤ 5 ms with a month of history for 50 services.
 *
 * The history: a database from `bench/probe-history-size.ts --keep=PATH` (--db=PATH; opened read-only in spirit:
 * nothing is written), or, without --db, a month generated here through the real repo (50 services every 10 s,
 * flushed per simulated hour and pruned as it goes: the same rows, fewer transactions). Then:
 *  1. in process: Hono's app.request() loop over the 50 services, 200 warm-up requests, then --requests measured;
 *  2. over HTTP: the same app on 127.0.0.1 (@hono/node-server, as the sidecar serves it), `wrk -t1 -c4 -d10s --latency`
 *     on one service (every service holds the same amount of history).
 *
 * Run: node bench/health-query.ts [--db=PATH] [--requests=5000] [--no-wrk]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { ManualClock } from '../src/lib/clock.ts';
import { openDatabase } from '../src/store/db.ts';
import { createProbeHistoryRepo } from '../src/store/probe-history-repo.ts';
import { createServiceRegistryRepo } from '../src/store/service-registry-repo.ts';
import { createServiceRegistry } from '../src/services/registry.ts';
import { servicesRoutes } from '../src/http/routes/services.ts';
import { bearerGuard } from '../src/http/auth.ts';
import { listen } from '../src/http/server.ts';
import { configService, probeResult } from '../test/support/services.ts';
import { pct, runWrk, writeResult } from './lib.ts';

const dbArg = process.argv.find((x) => x.startsWith('--db='))?.slice(5);
const REQUESTS = Number(process.argv.find((x) => x.startsWith('--requests='))?.slice(11) ?? 5000);
const SERVICES = 50;
const ids = Array.from({ length: SERVICES }, (_, i) => `payments-api-${String(i).padStart(3, '0')}`);
const DAY = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'prodpulse-health-bench-'));
const db = openDatabase(dbArg ?? join(dir, 'prodpulse.db'));
const start = Date.UTC(2026, 0, 1);
const end = start + 30 * DAY;
const clock = new ManualClock(start);
const history = createProbeHistoryRepo(db, { clock });

if (!dbArg) {
  const t0 = performance.now();
  let x = 1;
  for (let round = start; round < end; round += 10_000) {
    for (let i = 0; i < SERVICES; i++) {
      x = (x * 48271) % 2147483647;
      const ok = x % 100 !== 0;
      history.record(probeResult(ids[i]!, round + i * 200, ok, ok ? 8 + (x % 400) / 4 : 5000));
    }
    if ((round - start) % 3_600_000 === 3_590_000) {
      clock.advance(round + 10_000 - clock.now());
      history.flush();
      while (history.prune().more);
    }
  }
  history.flush();
  console.error(`generated a month in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
clock.advance(end - clock.now());
const rows = Number(db.sql.prepare('SELECT COUNT(*) AS n FROM probe_results').get()!.n);

const registry = createServiceRegistry({
  repo: createServiceRegistryRepo(db),
  now: () => clock.now(),
  configServices: ids.map((id) => configService(id, 'services.json', { expectedVersion: '2.1.0', degradedLatencyMs: 300 })),
});
const app = new Hono();
servicesRoutes(app, {
  registry,
  history,
  status: () => 'HEALTHY',
  latest: () => undefined,
  writeGuard: bearerGuard(() => 'x'),
  now: () => clock.now(),
});

const one = async (id: string) => {
  const res = await app.request(`/health/${id}?limit=100`);
  const body = (await res.json()) as { checks: unknown[]; latency: { samples: number } };
  if (res.status !== 200 || body.checks.length !== 100) throw new Error(`unexpected answer ${res.status}`);
  return body;
};
const sampleBody = await one(ids[0]!);
for (let i = 0; i < 200; i++) await one(ids[i % SERVICES]!);
const times: number[] = [];
const cpu0 = process.cpuUsage();
const tq = performance.now();
for (let i = 0; i < REQUESTS; i++) {
  const t = performance.now();
  await one(ids[i % SERVICES]!);
  times.push(performance.now() - t);
}
const inProcess = {
  requests: REQUESTS,
  p50ms: pct(times, 50),
  p99ms: pct(times, 99),
  maxms: times.reduce((a, b) => Math.max(a, b), 0),
  reqPerSec: Math.round(REQUESTS / ((performance.now() - tq) / 1000)),
  /** user + system CPU of this process per request: what the machine's noise does not change */
  cpuMsPerRequest: (() => {
    const c = process.cpuUsage(cpu0);
    return Math.round(((c.user + c.system) / 1000 / REQUESTS) * 1000) / 1000;
  })(),
};
console.error('in process', inProcess);

let wrk: Omit<Awaited<ReturnType<typeof runWrk>>, 'raw'> | undefined;
if (!process.argv.includes('--no-wrk')) {
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  try {
    const { raw: _raw, ...r } = await runWrk(['-t1', '-c4', '-d10s', '--latency', `${server.url}/health/${ids[7]}?limit=100`]);
    wrk = r;
    console.error('wrk', wrk);
  } finally {
    await server.close(1000);
  }
}

const summary = {
  history: dbArg ? `from ${dbArg}` : 'generated here',
  rawRows: rows,
  samplesIn24h: sampleBody.latency.samples,
  responseBytes: JSON.stringify(sampleBody).length,
  inProcess,
  wrk,
};
console.log(JSON.stringify(summary, null, 2));
writeResult('health-query.json', summary);
db.close();
rmSync(dir, { recursive: true, force: true });
