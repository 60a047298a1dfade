/**
 * Target 1: /metrics throughput of (a) the sidecar, (b) Debian's prometheus-node-exporter, (c) bare Hono serving a
 * static body of the sidecar's /metrics size. One wrk run each, in sequence (2 cores: never two loads at once).
 * The sidecar runs with the `npm start` flags (lib.ts startSidecarProc npmStart: compile cache, --max-semi-space-size=4)
 * unless --plain-node is given.
 * Run: node bench/throughput.ts [--sidecar-only] [--plain-node] [--node-arg=--max-semi-space-size=N]...
 * Env: QUICK=1 (3 s runs), WRK_ARGS (default "-t2 -c16 -d10s --latency").
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NPM_START, QUICK, benchConfig, freePort, runWrk, sleep, startProc, startSidecarProc, waitHttp, writeResult, type WrkResult } from './lib.ts';

const sidecarOnly = process.argv.includes('--sidecar-only');
const nodeArgs = process.argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const tag = process.argv.find((a) => a.startsWith('--tag='))?.slice(6) ?? (nodeArgs.join('_').replace(/[^\w=.-]/g, '') || 'default');
const wrkArgs = (process.env.WRK_ARGS ?? `-t2 -c16 -d${QUICK ? 3 : 10}s --latency`).split(/\s+/);

const results: Record<string, WrkResult & { bodyBytes?: number }> = {};
const dir = mkdtempSync(join(tmpdir(), 'prodpulse-bench-'));

async function measure(name: string, url: string): Promise<void> {
  await runWrk(['-t1', '-c4', '-d2s', url]); // warm-up (JIT, connections), not recorded
  const r = await runWrk([...wrkArgs, url]);
  results[name] = r;
  process.stdout.write(`${name}: ${r.reqPerSec} req/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, max ${r.maxms} ms ${r.errors}\n   ${r.command}\n`);
  await sleep(1000);
}

// (a) the sidecar, 1 s sampling (renders /metrics every second)
const sidecar = await startSidecarProc({
  dir,
  nodeArgs,
  npmStart: NPM_START,
  config: benchConfig(dir, '1s'),
});
let bodyBytes = 0;
try {
  await sleep(2500);
  const body = Buffer.from(await (await fetch(`${sidecar.url}/metrics`)).arrayBuffer());
  bodyBytes = body.length;
  process.stdout.write(`sidecar /metrics body: ${bodyBytes} bytes (node ${NPM_START ? 'npm start flags ' : ''}${nodeArgs.join(' ')})\n`);
  writeResult(`throughput-sidecar-metrics-${tag}.txt`, body.toString());
  await measure('sidecar', `${sidecar.url}/metrics`);
  results.sidecar!.bodyBytes = bodyBytes;
} finally {
  await sidecar.stop();
}

if (!sidecarOnly) {
  // (b) Debian's node_exporter, default collectors
  const nePort = await freePort();
  const ne = startProc('/usr/bin/prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nePort}`]);
  try {
    await waitHttp(`http://127.0.0.1:${nePort}/metrics`);
    const b = Buffer.from(await (await fetch(`http://127.0.0.1:${nePort}/metrics`)).arrayBuffer());
    process.stdout.write(`node_exporter /metrics body: ${b.length} bytes\n`);
    await measure('node_exporter', `http://127.0.0.1:${nePort}/metrics`);
    results.node_exporter!.bodyBytes = b.length;
  } finally {
    await ne.stop();
  }

  // (c) bare Hono, same body size
  const hPort = await freePort();
  const hono = startProc(process.execPath, [new URL('./bare-hono.ts', import.meta.url).pathname, String(hPort), String(bodyBytes)]);
  try {
    await waitHttp(`http://127.0.0.1:${hPort}/metrics`);
    await measure('bare_hono', `http://127.0.0.1:${hPort}/metrics`);
    results.bare_hono!.bodyBytes = bodyBytes;
  } finally {
    await hono.stop();
  }
}

const s = results.sidecar!;
const summary = {
  npmStartFlags: NPM_START,
  nodeArgs,
  sidecar: { reqPerSec: s.reqPerSec, p99ms: s.p99ms, bodyBytes },
  node_exporter: results.node_exporter && { reqPerSec: results.node_exporter.reqPerSec, p99ms: results.node_exporter.p99ms },
  bare_hono: results.bare_hono && { reqPerSec: results.bare_hono.reqPerSec, p99ms: results.bare_hono.p99ms },
  ratioVsNodeExporter: results.node_exporter ? s.reqPerSec / results.node_exporter.reqPerSec : undefined,
  fractionOfBareHono: results.bare_hono ? s.reqPerSec / results.bare_hono.reqPerSec : undefined,
  targets: { ratioVsNodeExporter: '>= 100', p99ms: '<= 2', fractionOfBareHono: '>= 0.8' },
};
writeResult(`throughput-${tag}.json`, { summary, runs: results });
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
