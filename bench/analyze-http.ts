/**
 * Does a big POST /analyze stall the thread that serves /metrics?
 *
 *   node bench/analyze-http.ts [--events=1000000]
 *
 * Builds a shuffled body of EVENTS events (100 services, ~60 MB at the default), starts a child process serving POST /analyze (src/http/routes/analyze.ts) and a stand-in GET /metrics
 * (a static 60 KB body) with @hono/node-server on 127.0.0.1, then from this process probes /metrics every 10 ms
 * while it POSTs the file, and reports the probe latencies during the analysis against an idle baseline. Two
 * modes: `worker` (the route's default: bodies over 256 KB are analyzed on a worker thread) and `inline`
 * (everything on the serving thread, for comparison).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeResult } from './lib.ts';

if (process.argv[2] === '--serve') {
  const { Hono } = await import('hono');
  const { listen } = await import('../src/http/server.ts');
  const { analyzeRoutes } = await import('../src/http/routes/analyze.ts');
  const { createAnalyzeRunner } = await import('../src/heartbeats/analyze-runner.ts');
  const app = new Hono();
  const metrics = `${'# HELP x y\nx{a="b"} 1\n'.repeat(2500)}`;
  app.get('/metrics', (c) => c.text(metrics));
  analyzeRoutes(app, { runner: createAnalyzeRunner(process.argv[3] === 'inline' ? Number.POSITIVE_INFINITY : undefined) });
  const l = await listen(app, { host: '127.0.0.1', port: 0 });
  process.stdout.write(`${l.url}\n`);
  process.on('SIGTERM', () => void l.close(100).then(() => process.exit(0)));
} else {
  const events = Number(process.argv.find((a) => a.startsWith('--events='))?.slice(9) ?? '1000000');
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-analyze-http-'));
  const lines: string[] = [];
  const start = Date.UTC(2025, 7, 4) / 1000;
  for (let i = 0; i < events; i++) lines.push(`{"service": "service-${String(i % 100).padStart(3, '0')}", "timestamp": "${new Date((start + Math.floor(i / 100) * 60 + (i % 7)) * 1000).toISOString().replace('.000Z', 'Z')}"}`);
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  const body = Buffer.from(`[\n${lines.join(',\n')}\n]\n`);
  lines.length = 0;
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN) * 10) / 10;
  };
  const summary: Record<string, unknown> = { node: process.version, events, bodyBytes: body.length };
  try {
    for (const mode of ['worker', 'inline']) {
      const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
      const url = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
      try {
        const probe = async (untilDone: () => boolean) => {
          const lat: number[] = [];
          while (!untilDone()) {
            const t = performance.now();
            await (await fetch(`${url}/metrics`)).arrayBuffer();
            lat.push(performance.now() - t);
            await sleep(10);
          }
          return lat;
        };
        let stop = false;
        const idleRun = probe(() => stop);
        await sleep(2000);
        stop = true;
        const idle = await idleRun;
        let done = false;
        const t0 = performance.now();
        const post = fetch(`${url}/analyze`, { method: 'POST', body }).then(async (r) => {
          const j = (await r.json()) as { total_events: number; alerts_total: number; duration_ms: number };
          done = true;
          return { status: r.status, ...j, wallMs: Math.round(performance.now() - t0) };
        });
        const busy = await probe(() => done);
        const res = await post;
        const row = {
          analyze: { status: res.status, events: res.total_events, alerts: res.alerts_total, analysisMs: res.duration_ms, requestWallMs: res.wallMs },
          idle: { n: idle.length, p50: pct(idle, 50), p99: pct(idle, 99), max: pct(idle, 100) },
          duringAnalyze: { n: busy.length, p50: pct(busy, 50), p99: pct(busy, 99), max: pct(busy, 100) },
        };
        summary[mode] = row;
        console.log(mode, JSON.stringify(row));
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
    writeResult('analyze-http.json', summary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
