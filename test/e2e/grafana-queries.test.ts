// Every query in the Grafana dashboard, run against a real Prometheus scraping a real sidecar: the template
// variables resolve the way Grafana resolves them, and every panel target returns at least one series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../support/child.ts';
import { freePort } from '../support/free-port.ts';
import { missingBinary } from '../support/binaries.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROMETHEUS = '/usr/bin/prometheus';
const JOB = 'prodpulse';
// Grafana's $__rate_interval for a 1s scrape is max($__interval + 1s, 4 x 1s); 10s leaves room for late scrapes.
const RATE_INTERVAL = '10s';

interface Target { expr: string; refId: string }
interface Panel { type: string; title: string; targets?: Target[] }
interface Dashboard { panels: Panel[]; templating: { list: { name: string; query: string | { query: string } }[] } }

function start(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  child.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  return { child, output: () => out };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, alive: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead !== undefined) assert.fail(`${what}: ${dead}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type PromResult = { status: string; data: { resultType: string; result: unknown[] }; error?: string };

async function instantQuery(base: string, expr: string): Promise<PromResult> {
  const res = await fetch(`${base}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
  return (await res.json()) as PromResult;
}

/** label_values(SELECTOR, LABEL) the way Grafana's Prometheus datasource answers it: /api/v1/label/LABEL/values. */
async function labelValues(base: string, query: string): Promise<string[]> {
  const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(query);
  assert.ok(m, `a label_values() query: ${query}`);
  const res = await fetch(`${base}/api/v1/label/${m[2]}/values?${new URLSearchParams({ 'match[]': m[1]! })}`);
  const body = (await res.json()) as { status: string; data: string[] };
  assert.equal(body.status, 'success', `${query}: ${JSON.stringify(body)}`);
  return body.data;
}

test('every dashboard query returns series from a real Prometheus scraping the sidecar', { timeout: 180_000, skip: missingBinary(PROMETHEUS, 'prometheus') }, async (t) => {
  const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'grafana/dashboards/prodpulse.json'), 'utf8')) as Dashboard;
  const dir = await mkdtemp(path.join(tmpdir(), 'prodpulse-grafana-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  // A webhook receiver on loopback, so notifications are delivered and their metrics exist.
  const received: string[] = [];
  const hook: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => hook.close(() => r())));
  const hookAddr = hook.address();
  const hookPort = typeof hookAddr === 'object' && hookAddr ? hookAddr.port : 0;

  // Sample every second; keep loopback and overlay root filesystems so any machine has network and filesystem
  // series; one rule that fires at once so the alert and notification panels have data.
  const config = [
    'sampling:',
    '  interval: 1s',
    '  network: { exclude: "^$" }',
    '  filesystem: { fs_types_exclude: "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|mqueue|nsfs|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|sysfs|tracefs)$" }',
    'storage:',
    `  path: ${JSON.stringify(path.join(dir, 'prodpulse.db'))}`,
    'channels:',
    `  hook: { type: webhook, url: "http://127.0.0.1:${hookPort}/hook" }`,
    'defaults: { channels: [hook], repeat_interval: 1h }',
    'rules:',
    '  - alert: AlwaysFiring',
    '    metric: host_cpus',
    '    op: ">"',
    '    threshold: 0',
    '    severity: info',
    '    summary: "{{ value }} CPUs"',
    '',
  ].join('\n');
  const configPath = path.join(dir, 'alerts.yaml');
  await writeFile(configPath, config);

  const sidecarPort = await freePort();
  const instance = `127.0.0.1:${sidecarPort}`;
  const sidecar = start(process.execPath, [path.join(ROOT, 'src/main.ts'), 'serve', '--config', configPath, '--listen', instance], dir, {
    PATH: process.env.PATH,
    HOME: dir,
    LOG_LEVEL: 'info', // shown only when the sidecar dies mid-test
  });
  t.after(() => stopChild(sidecar.child));
  const exited = (name: string, p: { child: ChildProcess; output: () => string }) => () =>
    p.child.exitCode !== null || p.child.signalCode !== null ? `${name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${p.output().slice(-4000)}` : undefined;
  await waitFor('sidecar /health', async () => (await fetch(`http://${instance}/health`)).ok, 30_000, exited('sidecar', sidecar));

  const promPort = await freePort();
  const prom = `http://127.0.0.1:${promPort}`;
  const promConfig = path.join(dir, 'prometheus.yml');
  await writeFile(
    promConfig,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - job_name: ${JOB}`,
      `    static_configs: [ { targets: ["${instance}"] } ]`,
      '',
    ].join('\n'),
  );
  const prometheus = start(
    PROMETHEUS,
    [`--config.file=${promConfig}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
    dir,
    { PATH: process.env.PATH, HOME: dir },
  );
  t.after(() => stopChild(prometheus.child));
  const promDead = exited('prometheus', prometheus);
  await waitFor('prometheus ready', async () => (await fetch(`${prom}/-/ready`)).ok, 30_000, promDead);
  await waitFor('the first scrape', async () => (await instantQuery(prom, `up{job="${JOB}"} == 1`)).data.result.length > 0, 30_000, promDead);

  // Template variables, resolved as Grafana does (job first, then instance within the job).
  const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, typeof v.query === 'string' ? v.query : v.query.query]));
  const jobs = await labelValues(prom, vars.job!);
  assert.deepEqual(jobs, [JOB]);
  const instances = await labelValues(prom, vars.instance!.replaceAll('$job', JOB));
  assert.deepEqual(instances, [instance]);
  const substitute = (expr: string) =>
    expr
      .replaceAll('$__rate_interval', RATE_INTERVAL)
      .replaceAll('$__interval', '1s')
      .replaceAll('$__range', '1m')
      .replaceAll('$job', JOB)
      .replaceAll('$instance', instance);

  const targets = dashboard.panels
    .filter((p) => p.type !== 'row')
    .flatMap((p) => (p.targets ?? []).map((tg) => ({ title: `${p.title} [${tg.refId}]`, expr: substitute(tg.expr) })));
  assert.ok(targets.length > 0);
  for (const tg of targets) assert.ok(!tg.expr.includes('$'), `${tg.title}: every variable substituted in ${tg.expr}`);

  // rate() needs two samples inside the window and notifications need a delivery: poll until every query has
  // series (or the deadline passes), then report each one that stayed empty.
  const empty = new Map<string, string>();
  const deadline = Date.now() + 60_000;
  let pending = targets;
  while (pending.length > 0) {
    const next: typeof targets = [];
    for (const tg of pending) {
      const r = await instantQuery(prom, tg.expr);
      assert.equal(r.status, 'success', `${tg.title}: ${tg.expr} → ${r.error ?? JSON.stringify(r)}`);
      if (r.data.result.length === 0) {
        next.push(tg);
        empty.set(tg.title, tg.expr);
      } else empty.delete(tg.title);
    }
    pending = next;
    if (pending.length === 0 || Date.now() > deadline || promDead() !== undefined) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.equal(exited('sidecar', sidecar)(), undefined, 'the sidecar kept running');
  assert.deepEqual(
    [...empty].map(([title, expr]) => `${title}: ${expr}`),
    [],
    `queries without series (webhook deliveries received: ${received.length})`,
  );
});
