/**
 * Heartbeat ping ingest (issue 10 target: ≥ 30 000 req/s, p99 < 5 ms; wrk, loopback, 100 jobs, persistence on).
 *
 * Runs wrk against each case below, rotating over the 100 jobs:
 *   get-token     GET /heartbeat/job-N with "Authorization: Bearer …" (server.token set: the token is checked)
 *   push-json     POST /heartbeat/job-N with a pushed-metrics JSON body (cpu, memory, latency_ms, error_rate)
 *   bare-hono     a bare Hono GET route answering "OK" in the same kind of process: the framework's ceiling
 *   bare-post     a bare Hono POST route that reads the same JSON body (c.req.text()) and answers "OK"
 *   sidecar-get   as get-token, against the REAL sidecar (src/main.ts serve with the npm start flags unless
 *                 --plain-node): every route group and middleware of src/http/app.ts, 100 jobs under heartbeats:,
 *                 server.token, 5 s sampling, SQLite at data/prodpulse.db
 *   sidecar-push  as push-json, against the real sidecar
 * get-token and push-json start a server process running the real ping routes (src/http/routes/heartbeat.ts) on a
 * HeartbeatTracker with SQLite persistence (flush of dirty jobs every second, one transaction each) and 100
 * configured jobs, and nothing else. Each case: 2 s warm-up (not recorded), then DURATION s (default 10; QUICK=1:
 * 3). After each server stops, the pings persisted in its database are counted and printed beside wrk's request
 * count (warm-up + run): nothing lost. The server's CPU time per request (schedstat of every thread of the server
 * over the run, ÷ requests) is reported too: on a shared machine it moves far less than req/s, and 1e6 / it is
 * what one core could serve.
 *
 * Run: node bench/heartbeat-ingest.ts [--duration=10] [--threads=1] [--connections=16] [--only=case,case]
 *        [--node-arg=--cpu-prof --node-arg=--cpu-prof-dir=DIR] [--plain-node]
 * (internal: node bench/heartbeat-ingest.ts --serve PORT DB [--bare])
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOKEN = 'bench-token-0123456789';
const JOBS = 100;

if (process.argv[2] === '--serve') {
  await serve(Number(process.argv[3]), process.argv[4]!, process.argv.includes('--bare'));
} else {
  await main();
}

async function serve(port: number, dbPath: string, bare: boolean): Promise<void> {
  const { serve: honoServe } = await import('@hono/node-server');
  const { Hono } = await import('hono');
  const app = new Hono();
  let stop = async () => {};
  if (bare) {
    app.get('/heartbeat/:service', (c) => c.text('OK'));
    // the least a POST route that uses its body does: read it
    app.post('/heartbeat/:service', async (c) => {
      await c.req.text();
      return c.text('OK');
    });
  } else {
    const { heartbeatDefaultsSchema, heartbeatsSchema } = await import('../src/config/heartbeats.ts');
    const { heartbeatSettings } = await import('../src/heartbeats/settings.ts');
    const { HeartbeatTracker } = await import('../src/heartbeats/tracker.ts');
    const { heartbeatRoutes } = await import('../src/http/routes/heartbeat.ts');
    const { openDatabase } = await import('../src/store/db.ts');
    const { createHeartbeatRepo } = await import('../src/heartbeats/repo.ts');
    const { systemClock } = await import('../src/lib/clock.ts');
    const { createLogger } = await import('../src/lib/logger.ts');
    const logger = createLogger({ level: 'info' });
    const db = openDatabase(dbPath);
    const jobs = Array.from({ length: JOBS }, (_, i) => ({ service: `job-${i}`, interval: '1m' }));
    const tracker = new HeartbeatTracker(
      heartbeatSettings({ heartbeats: heartbeatsSchema.parse(jobs), defaults: { heartbeats: heartbeatDefaultsSchema.parse({}) } }),
      { clock: systemClock, logger, repo: createHeartbeatRepo(db) },
    );
    tracker.start();
    heartbeatRoutes(app, { tracker, token: () => TOKEN, logger, now: () => systemClock.now() });
    stop = async () => {
      tracker.stop();
      db.close();
    };
  }
  const server = honoServe({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => process.stdout.write('listening\n'));
  process.on('SIGTERM', () => {
    server.close();
    void stop().then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const { freePort, runWrk, startProc, startSidecarProc, benchConfig, waitHttp, writeResult, QUICK, NPM_START, sleep, schedMs } = await import('./lib.ts');
  const { openDatabase } = await import('../src/store/db.ts');
  const arg = (name: string, def: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
  const duration = arg('duration', QUICK ? 3 : 10);
  const threads = arg('threads', 1);
  const connections = arg('connections', 16);
  const only = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1]?.split(',');
  /** extra node arguments for the server processes (e.g. --cpu-prof --cpu-prof-dir=DIR) */
  const nodeArgs = process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-hb-bench-'));
  const rotate = `local i = 0
request = function()
  i = (i + 1) % ${JOBS}
  return wrk.format(nil, "/heartbeat/job-" .. i)
end
`;
  const get = `wrk.headers["Authorization"] = "Bearer ${TOKEN}"\n${rotate}`;
  const push = `wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer ${TOKEN}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"cpu": 42.5, "memory": 61.2, "latency_ms": 120, "error_rate": 0.02}'
${rotate}`;
  // the real sidecar (src/main.ts serve, as npm start runs it unless --plain-node): every route group and
  // middleware of src/http/app.ts, 100 jobs under heartbeats:, server.token set, default 5 s sampling
  const sidecarConfig = (d: string) =>
    `${benchConfig(d, '5s')}server: { token: ${TOKEN} }\nheartbeats:\n${Array.from({ length: JOBS }, (_, i) => `  - { service: job-${i}, interval: 1m }`).join('\n')}\n`;
  type Server = { stop(): Promise<void>; pid: number; url: string; dbPath: string | null };
  const benchServer = async (name: string): Promise<Server> => {
    const dbPath = join(dir, `${name}.db`);
    const port = await freePort();
    const bare = name.startsWith('bare-');
    const proc = startProc(process.execPath, [...nodeArgs, new URL(import.meta.url).pathname, '--serve', String(port), dbPath, ...(bare ? ['--bare'] : [])], {
      env: { NODE_ENV: 'production' },
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitHttp(`${url}/heartbeat/job-0`, 20_000, bare ? 200 : 401);
    } catch (e) {
      await proc.stop();
      throw e;
    }
    return { stop: () => proc.stop(), pid: proc.pid, url, dbPath: bare ? null : dbPath };
  };
  const sidecarServer = async (name: string): Promise<Server> => {
    const d = join(dir, name);
    mkdirSync(d);
    const proc = await startSidecarProc({ config: sidecarConfig(d), dir: d, nodeArgs, npmStart: NPM_START });
    return { stop: () => proc.stop(), pid: proc.pid, url: proc.url, dbPath: join(d, 'data', 'prodpulse.db') };
  };
  const cases = {
    'get-token': { lua: get, start: benchServer },
    'push-json': { lua: push, start: benchServer },
    'bare-hono': { lua: rotate, start: benchServer },
    'bare-post': { lua: push, start: benchServer },
    'sidecar-get': { lua: get, start: sidecarServer },
    'sidecar-push': { lua: push, start: sidecarServer },
  } as const;
  const results: Record<string, unknown> = {};
  try {
    for (const [name, { lua, start }] of Object.entries(cases)) {
      if (only && !only.includes(name)) continue;
      const luaPath = join(dir, `${name}.lua`);
      writeFileSync(luaPath, lua);
      const server = await start(name);
      try {
        const { url, pid, dbPath } = server;
        const warm = await runWrk([`-t${threads}`, `-c${connections}`, '-d2s', '-s', luaPath, url]); // warm-up
        await sleep(500);
        const cpu0 = schedMs(pid);
        const r = await runWrk([`-t${threads}`, `-c${connections}`, `-d${duration}s`, '--latency', '-s', luaPath, url]);
        // CPU the server spent per request: a figure the shared machine's load does not skew the way req/s is
        const cpuUsPerReq = ((schedMs(pid) - cpu0) * 1000) / r.requests;
        await server.stop();
        let persisted: number | null = null;
        if (dbPath !== null) {
          const db = openDatabase(dbPath);
          persisted = Number(db.sql.prepare('SELECT SUM(pings_success) AS n FROM heartbeat_jobs').get()!.n);
          db.close();
        }
        results[name] = { reqPerSec: r.reqPerSec, cpuUsPerReq: Math.round(cpuUsPerReq * 10) / 10, oneCoreCeiling: Math.round(1e6 / cpuUsPerReq), p50ms: r.p50ms, p99ms: r.p99ms, maxms: r.maxms, requests: r.requests, errors: r.errors, persistedPings: persisted, wrkRequestsWithWarmup: warm.requests + r.requests, command: r.command };
        process.stdout.write(
          `${name.padEnd(12)} ${Math.round(r.reqPerSec).toString().padStart(7)} req/s  p50 ${r.p50ms} ms  p99 ${r.p99ms} ms  max ${r.maxms} ms` +
            `  server CPU ${cpuUsPerReq.toFixed(1)} µs/req (one-core ceiling ${Math.round(1e6 / cpuUsPerReq)} req/s)` +
            `${persisted === null ? '' : `  persisted pings ${persisted}, wrk requests ${warm.requests + r.requests} (warm-up + run)`}${r.errors ? `  ${r.errors}` : ''}\n`,
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeResult(`heartbeat-ingest${only ? `-${only.join('+')}` : ''}.json`, { at: new Date().toISOString(), duration, threads, connections, jobs: JOBS, results });
}
