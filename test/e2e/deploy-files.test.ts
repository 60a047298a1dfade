// Deployment artifacts checked against real parts: the Dockerfile's shape and the exact install/start/health
// commands it runs, prometheus.yml and the exported rules through the real promtool, deploy/alertmanager.yml
// through the real amtool, the container configs through the real config loader, the Grafana dashboard against
// the real metrics registry, and docker-compose.yml against the files it mounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { loadConfigFile, parseConfigText } from '../../src/config/load.ts';
import { MetricsRegistry } from '../../src/metrics/registry.ts';
import { KNOWN_METRICS } from '../../src/wiring/catalog.ts';
import { stopChild } from '../support/child.ts';
import { freePort } from '../support/free-port.ts';
import { missingBinary } from '../support/binaries.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const at = (p: string) => path.join(ROOT, p);
const read = (p: string) => readFileSync(at(p), 'utf8');

// ---- helpers ---------------------------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Dockerfile → instructions (comments dropped, `\` continuations joined), each tagged with its stage index. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let buf = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (buf === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment inside a continued instruction
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (buf + line).trim();
    buf = '';
    const m = /^(\S+)\s*(.*)$/.exec(full);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: m[2]!, stage });
  }
  return out;
}

/** The JSON (exec form) array of a CMD/ENTRYPOINT/HEALTHCHECK CMD; fails the test for the shell form. */
function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  assert.ok(Array.isArray(parsed) && parsed.every((a) => typeof a === 'string'), `not an exec-form array: ${args}`);
  return parsed as string[];
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const finalStage = Math.max(...dockerfile.map((i) => i.stage));
const inFinal = (op: string) => dockerfile.filter((i) => i.op === op && i.stage === finalStage);
const last = (op: string) => inFinal(op).at(-1);

/** ENTRYPOINT + CMD of the final stage, as the container runs them. */
function imageCommand(): string[] {
  const ep = last('ENTRYPOINT');
  const cmd = last('CMD');
  return [...(ep ? execForm(ep.args) : []), ...(cmd ? execForm(cmd.args) : [])];
}

/** The healthcheck's argv (exec form), without the leading options. */
function healthcheckCommand(): string[] {
  const hc = last('HEALTHCHECK');
  assert.ok(hc, 'the final stage has a HEALTHCHECK');
  const m = /(?:^|\s)CMD\s+(\[.*\])\s*$/.exec(hc.args);
  assert.ok(m, `HEALTHCHECK uses CMD in exec form: ${hc.args}`);
  return execForm(m[1]!);
}

/** The `npm ci ...` the deps stage runs, as argv after `npm`. */
function npmInstallArgs(): string[] {
  const runLine = dockerfile.find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
  assert.ok(runLine, 'a RUN line runs npm ci');
  const cmd = runLine.args.slice(runLine.args.indexOf('npm ci')).split(/&&|;|\|\|/)[0]!.trim();
  return cmd.split(/\s+/).slice(1);
}

// ---- Dockerfile --------------------------------------------------------------------------------------------------

test('Dockerfile: multi-stage on node:24, prod-only install, non-root, port, healthcheck, command', () => {
  const froms = dockerfile.filter((i) => i.op === 'FROM');
  assert.ok(froms.length >= 2, 'multi-stage build');
  for (const f of froms) assert.match(f.args, /^(--platform=\S+\s+)?node:24(-[a-z-]+)?(@sha256:[0-9a-f]+)?(\s+AS\s+\S+)?$/i, `FROM node:24…: ${f.args}`);

  const install = npmInstallArgs();
  assert.equal(install[0], 'ci');
  assert.ok(install.includes('--omit=dev'), `npm ci --omit=dev: ${install.join(' ')}`);
  const depsStage = dockerfile.find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args))!.stage;
  assert.notEqual(depsStage, finalStage, 'dependencies install in a separate stage');
  assert.ok(
    inFinal('COPY').some((c) => /--from=\S+/.test(c.args) && /node_modules/.test(c.args)),
    'the final stage copies node_modules from the deps stage',
  );

  const user = last('USER');
  assert.ok(user, 'the final stage sets USER');
  const name = user.args.split(':')[0]!.trim();
  assert.ok(name !== 'root' && name !== '0', `USER is not root: ${user.args}`);

  assert.ok(inFinal('EXPOSE').some((e) => e.args.split(/\s+/).some((p) => p === '9470' || p === '9470/tcp')), 'EXPOSE 9470');

  const hc = healthcheckCommand();
  assert.equal(hc[0], 'node', 'the healthcheck uses node itself (no curl in slim)');
  assert.match(hc.join(' '), /\/health\b/);

  assert.deepEqual(imageCommand(), ['node', 'src/main.ts', 'serve']);

  const env = inFinal('ENV').map((e) => e.args).join(' ');
  assert.match(env, /PRODPULSE_CONFIG=\/etc\/prodpulse\/alerts\.yaml/);
  assert.match(env, /NODE_ENV=production/);
  assert.ok(inFinal('VOLUME').some((v) => v.args.includes('/var/lib/prodpulse')), 'VOLUME /var/lib/prodpulse');
});

test('Dockerfile: every COPY source exists and is not excluded by .dockerignore', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const must of ['node_modules', 'data', '.git', 'test', 'bench']) assert.ok(ignored.includes(must), `.dockerignore lists ${must}`);
  const sources = dockerfile
    .filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
  assert.ok(sources.length > 0);
  for (const s of sources) {
    const rel = s.replace(/^\.\//, '').replace(/\/$/, '');
    assert.ok(existsSync(at(rel)), `COPY source ${s} exists in the repository`);
    assert.ok(!ignored.includes(rel), `COPY source ${s} is not in .dockerignore`);
  }
  for (const must of ['package.json', 'package-lock.json', 'src', 'alerts.yaml'])
    assert.ok(sources.some((s) => s.replace(/^\.\//, '').replace(/\/$/, '') === must), `the image gets ${must}`);
});

test('CI runs the same install, start and health commands the image runs', { timeout: 240_000 }, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prodpulse-image-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const f of ['package.json', 'package-lock.json', 'alerts.yaml']) await cp(at(f), path.join(dir, f));
  await cp(at('src'), path.join(dir, 'src'), { recursive: true, filter: (src) => !src.endsWith('.test.ts') });

  // The deps stage's own `npm ci` line; --ignore-scripts only if it is not already there (no install scripts run).
  const install = npmInstallArgs();
  if (!install.includes('--ignore-scripts')) install.push('--ignore-scripts');
  const npm = path.join(path.dirname(process.execPath), 'npm');
  const installed = await run(existsSync(npm) ? npm : 'npm', install, { cwd: dir, timeoutMs: 180_000 });
  assert.equal(installed.code, 0, `npm ${install.join(' ')} failed:\n${installed.stderr}`);
  assert.ok(!existsSync(path.join(dir, 'node_modules/typescript')), 'devDependencies are not installed');
  assert.ok(existsSync(path.join(dir, 'node_modules/prom-client')), 'dependencies are installed');

  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  // The image's ENV, with its paths mapped into the temp dir (config file, data volume).
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, PRODPULSE_LISTEN: listen };
  for (const e of inFinal('ENV'))
    for (const m of e.args.matchAll(/(\w+)=("[^"]*"|\S+)/g))
      env[m[1]!] = m[2]!.replace(/^"|"$/g, '').replace('/etc/prodpulse/alerts.yaml', path.join(dir, 'alerts.yaml')).replace('/var/lib/prodpulse', path.join(dir, 'data'));
  assert.equal(env.NODE_ENV, 'production');
  await mkdir(path.join(dir, 'data'));
  const hc = healthcheckCommand();
  const healthcheck = () => run(process.execPath, hc.slice(1), { cwd: dir, env, timeoutMs: 10_000 });

  // Nothing listens yet: the healthcheck must report unhealthy.
  assert.equal((await healthcheck()).code, 1, 'healthcheck fails while nothing listens');

  const [, ...args] = imageCommand();
  let logs = '';
  const child = spawn(process.execPath, [...args, '--listen', listen], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (b: Buffer) => (logs += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (logs += b.toString()));
  t.after(() => stopChild(child));

  let result = await healthcheck();
  const deadline = Date.now() + 60_000;
  while (result.code !== 0 && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 250));
    result = await healthcheck();
  }
  assert.equal(result.code, 0, `the HEALTHCHECK command reports healthy (sidecar output:\n${logs.slice(-3000)})`);
  const body = (await (await fetch(`http://${listen}/health`)).json()) as { status?: string };
  assert.equal(body.status, 'ok');
});

// ---- Prometheus and Alertmanager -------------------------------------------------------------------------------

test('prometheus.yml passes the real promtool, scrapes prodpulse:9470 and alerts to alertmanager:9093', { skip: missingBinary('/usr/bin/promtool', 'prometheus') }, async () => {
  const checked = await run('/usr/bin/promtool', ['check', 'config', at('prometheus.yml')]);
  assert.equal(checked.code, 0, `promtool check config:\n${checked.stdout}${checked.stderr}`);
  const prom = parseYaml(read('prometheus.yml')) as {
    global: { scrape_interval: string };
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  assert.equal(prom.global.scrape_interval, '15s');
  const job = prom.scrape_configs.find((s) => s.job_name === 'prodpulse');
  assert.deepEqual(job?.static_configs.flatMap((s) => s.targets), ['prodpulse:9470']);
  assert.ok(prom.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((s) => s.targets)).includes('alertmanager:9093'));
  assert.ok(prom.rule_files.some((r) => path.basename(r).startsWith('prodpulse-rules')), 'rule_files names prodpulse-rules');
});

test('export-rules output for the container config passes promtool through prometheus.yml', { skip: missingBinary('/usr/bin/promtool', 'prometheus') }, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prodpulse-rules-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(at('prometheus.yml'), path.join(dir, 'prometheus.yml'));
  const rulesGlob = (parseYaml(read('prometheus.yml')) as { rule_files: string[] }).rule_files[0]!;
  const out = path.join(dir, path.dirname(rulesGlob), 'prodpulse-rules.yml');
  await mkdir(path.dirname(out), { recursive: true });
  // The same command docker-compose.yml's `rules` service runs (image command = node src/main.ts ...).
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { command?: string[] }> };
  const cmd = compose.services.rules?.command;
  assert.ok(cmd && cmd[0] === 'export-rules', 'compose runs export-rules');
  const exported = await run(process.execPath, [at('src/main.ts'), 'export-rules', at('deploy/alerts.yaml'), '--out', out], { cwd: ROOT });
  assert.equal(exported.code, 0, `export-rules failed:\n${exported.stderr}`);
  const checked = await run('/usr/bin/promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
  assert.equal(checked.code, 0, `promtool check config with rules:\n${checked.stdout}${checked.stderr}`);
  assert.match(checked.stdout + checked.stderr, /1 rule files found/);
  assert.match(checked.stdout + checked.stderr, /SUCCESS: \d+ rules found/);
});

test('deploy/alertmanager.yml passes the real amtool', { skip: missingBinary('/usr/bin/amtool', 'prometheus-alertmanager') }, async () => {
  const checked = await run('/usr/bin/amtool', ['check-config', at('deploy/alertmanager.yml')]);
  assert.equal(checked.code, 0, `amtool check-config:\n${checked.stdout}${checked.stderr}`);
});

// ---- container configs -----------------------------------------------------------------------------------------

const HOST_PATHS = { procfs: '/host/proc', sysfs: '/host/sys', rootfs: '/host/root' };

test('deploy/alerts.yaml loads with the real config loader and reads the host through /host', async () => {
  const loaded = await loadConfigFile(at('deploy/alerts.yaml'), { env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  assert.deepEqual(loaded.config.sampling.paths, HOST_PATHS);
  assert.match(loaded.config.storage.path, /^\/var\/lib\/prodpulse\//);
  assert.ok(loaded.config.rules.length > 0);
});

test('docker-compose.yml: the four services, host mounts matching sampling.paths, mounted files exist', () => {
  type Service = { build?: string; image?: string; volumes?: string[]; command?: string[]; environment?: Record<string, string> };
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const s = compose.services;
  for (const name of ['prodpulse', 'prometheus', 'alertmanager', 'grafana']) assert.ok(s[name], `service ${name}`);
  assert.equal(s.prodpulse!.build, '.');
  assert.ok(existsSync(at('Dockerfile')));
  assert.match(s.prometheus!.image ?? '', /^prom\/prometheus:/);
  assert.match(s.alertmanager!.image ?? '', /^prom\/alertmanager:/);
  assert.match(s.grafana!.image ?? '', /^grafana\/grafana:/);

  const mounts = (svc: Service) =>
    (svc.volumes ?? []).map((v) => {
      const [src = '', dst = '', mode = ''] = v.split(':');
      return { src, dst, mode };
    });
  for (const [name, svc] of Object.entries(s))
    for (const m of mounts(svc)) {
      if (m.src.startsWith('./')) assert.ok(existsSync(at(m.src)), `${name}: ${m.src} exists`);
      else if (!m.src.startsWith('/')) assert.ok(m.src in compose.volumes, `${name}: named volume ${m.src} is declared`);
    }

  const pp = mounts(s.prodpulse!);
  const hostMount = (src: string) => pp.find((m) => m.src === src);
  assert.equal(hostMount('/proc')?.dst, HOST_PATHS.procfs);
  assert.equal(hostMount('/sys')?.dst, HOST_PATHS.sysfs);
  assert.equal(hostMount('/')?.dst, HOST_PATHS.rootfs);
  for (const src of ['/proc', '/sys', '/']) assert.match(hostMount(src)!.mode, /\bro\b/, `${src} is mounted read-only`);
  const cfg = pp.find((m) => m.dst === '/etc/prodpulse/alerts.yaml');
  assert.equal(cfg?.src, './deploy/alerts.yaml', 'the container config is mounted where PRODPULSE_CONFIG points');
  assert.ok(pp.some((m) => m.dst === '/var/lib/prodpulse'), 'the data volume is mounted');

  // Prometheus gets prometheus.yml and the generated rules where rule_files looks for them.
  const pm = mounts(s.prometheus!);
  assert.equal(pm.find((m) => m.dst === '/etc/prometheus/prometheus.yml')?.src, './prometheus.yml');
  const rulesGlob = (parseYaml(read('prometheus.yml')) as { rule_files: string[] }).rule_files[0]!;
  const rulesDir = path.posix.join('/etc/prometheus', path.posix.dirname(rulesGlob));
  const rulesVolume = pm.find((m) => m.dst === rulesDir);
  assert.ok(rulesVolume, `a volume is mounted at ${rulesDir}`);
  const rulesWriter = mounts(s.rules!).find((m) => m.src === rulesVolume.src);
  assert.ok(rulesWriter, 'the rules service writes into the volume Prometheus reads');
  const outArg = s.rules!.command![s.rules!.command!.indexOf('--out') + 1]!;
  assert.equal(path.posix.dirname(outArg), rulesWriter.dst);
  assert.ok(path.posix.matchesGlob(path.posix.basename(outArg), path.posix.basename(rulesGlob)), `${outArg} matches ${rulesGlob}`);

  assert.equal(mounts(s.alertmanager!).find((m) => m.dst === '/etc/alertmanager/alertmanager.yml')?.src, './deploy/alertmanager.yml');
  const gm = mounts(s.grafana!);
  assert.equal(gm.find((m) => m.dst === '/etc/grafana/provisioning')?.src, './grafana/provisioning');
  const provider = parseYaml(read('grafana/provisioning/dashboards/prodpulse.yml')) as { providers: { options: { path: string } }[] };
  const dashDir = provider.providers[0]!.options.path;
  assert.equal(gm.find((m) => m.dst === dashDir)?.src, './grafana/dashboards', 'the provider reads where the dashboards are mounted');
});

test('deploy/kubernetes/sidecar.yaml: host mounts read-only, config with sampling.paths, probes on 9470', () => {
  type Mount = { name: string; mountPath: string; readOnly?: boolean };
  type Container = { name: string; args?: string[]; volumeMounts?: Mount[]; ports?: { name?: string; containerPort: number }[]; livenessProbe?: { httpGet: { path: string } }; readinessProbe?: { httpGet: { path: string } } };
  const docs = parseAllDocuments(read('deploy/kubernetes/sidecar.yaml')).map((d) => d.toJS() as Record<string, any>);
  const cm = docs.find((d) => d.kind === 'ConfigMap');
  const dep = docs.find((d) => d.kind === 'Deployment' || d.kind === 'DaemonSet');
  assert.ok(cm && dep);
  const loaded = parseConfigText(cm.data['alerts.yaml'] as string, 'sidecar.yaml#alerts.yaml', { env: { SLACK_BOT_TOKEN: 'xoxb-test' } });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  assert.deepEqual(loaded.config.sampling.paths, HOST_PATHS);

  const spec = dep.spec.template.spec as { containers: Container[]; volumes: { name: string; hostPath?: { path: string }; configMap?: { name: string } }[] };
  const c = spec.containers.find((x) => x.name === 'prodpulse');
  assert.ok(c);
  assert.deepEqual(c.args, ['serve']);
  assert.ok(c.ports?.some((p) => p.containerPort === 9470));
  assert.equal(c.livenessProbe?.httpGet.path, '/health');
  assert.equal(c.readinessProbe?.httpGet.path, '/ready');
  const volume = (name: string) => spec.volumes.find((v) => v.name === name);
  for (const [host, inside] of [['/proc', HOST_PATHS.procfs], ['/sys', HOST_PATHS.sysfs], ['/', HOST_PATHS.rootfs]] as const) {
    const m: Mount | undefined = c.volumeMounts?.find((vm) => vm.mountPath === inside);
    assert.ok(m, `mount at ${inside}`);
    assert.equal(m.readOnly, true, `${inside} is read-only`);
    assert.equal(volume(m.name)?.hostPath?.path, host);
  }
  const cfgMount = c.volumeMounts?.find((vm) => vm.mountPath === '/etc/prodpulse');
  assert.equal(volume(cfgMount!.name)?.configMap?.name, cm.metadata.name);
});

// ---- Grafana -----------------------------------------------------------------------------------------------------

interface Target { expr: string; datasource?: { uid?: string } }
interface Panel { type: string; title: string; targets?: Target[]; datasource?: { uid?: string }; gridPos: { x: number; y: number; w: number; h: number } }
const dashboard = JSON.parse(read('grafana/dashboards/prodpulse.json')) as {
  uid: string;
  schemaVersion: number;
  description: string;
  panels: Panel[];
  templating: { list: { name: string; query: string | { query: string } }[] };
};

/** Metric names in a PromQL expression, each with the label selector that follows it (if any). */
function selectors(expr: string): { metric: string; selector: string }[] {
  const out: { metric: string; selector: string }[] = [];
  const noStrings = expr.replace(/"[^"]*"/g, (s) => s.replace(/[a-z_]/gi, 'x'));
  for (const m of noStrings.matchAll(/\b((?:host|prodpulse|nodejs|process|probe|heartbeat)_[a-zA-Z0-9_]*)\s*(\{[^}]*\})?/g))
    out.push({ metric: m[1]!, selector: m[2] === undefined ? '' : expr.slice(m.index + m[0].indexOf('{'), m.index + m[0].length) });
  return out;
}

test('grafana: datasource uid matches provisioning; provider and datasource parse', () => {
  const ds = parseYaml(read('grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; type: string; url: string }[] };
  const prom = ds.datasources.find((d) => d.type === 'prometheus');
  assert.equal(prom?.uid, 'prometheus');
  assert.equal(prom?.url, 'http://prometheus:9090');
  const uids = new Set(ds.datasources.map((d) => d.uid));
  for (const p of dashboard.panels) {
    if (p.type === 'row') continue;
    assert.ok(uids.has(p.datasource?.uid ?? ''), `panel "${p.title}" datasource is provisioned`);
    for (const tg of p.targets ?? []) assert.ok(uids.has(tg.datasource?.uid ?? ''), `a target of "${p.title}" uses a provisioned datasource`);
  }
});

test('grafana: dashboard shape, variables, every panel has filtered targets on metrics that exist', () => {
  assert.equal(dashboard.uid, 'prodpulse');
  assert.ok(dashboard.schemaVersion >= 36 && dashboard.schemaVersion <= 41, `schemaVersion ${dashboard.schemaVersion}`);
  const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, typeof v.query === 'string' ? v.query : v.query.query]));
  assert.equal(vars.job, 'label_values(prodpulse_build_info, job)');
  assert.equal(vars.instance, 'label_values(prodpulse_build_info{job=~"$job"}, instance)');
  assert.match(dashboard.description, /probe_\*/);
  assert.match(dashboard.description, /heartbeat_\*/);

  // Every metric the real registry exposes (histograms also as _bucket/_sum/_count).
  const registry = new MetricsRegistry({ version: 'test', revision: 'test', nodeVersion: process.version });
  registry.define(KNOWN_METRICS);
  const known = new Set<string>();
  for (const m of registry.registry.getMetricsAsArray() as unknown as { name: string; type: string }[]) {
    known.add(m.name);
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(m.name + s);
  }

  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  assert.ok(panels.length >= 15, `${panels.length} panels`);
  const titles = new Set<string>();
  for (const p of panels) {
    assert.ok(!titles.has(p.title), `panel title "${p.title}" is unique`);
    titles.add(p.title);
    assert.ok(p.targets && p.targets.length > 0, `panel "${p.title}" has targets`);
    assert.ok(p.gridPos.x + p.gridPos.w <= 24, `panel "${p.title}" fits the grid`);
    for (const tg of p.targets) {
      const sels = selectors(tg.expr);
      assert.ok(sels.length > 0, `"${p.title}": ${tg.expr} queries a metric`);
      for (const { metric, selector } of sels) {
        assert.ok(known.has(metric), `"${p.title}": ${metric} is exposed by the sidecar`);
        assert.ok(selector.includes('job=~"$job"') && selector.includes('instance=~"$instance"'), `"${p.title}": ${metric} is filtered by $job and $instance in ${tg.expr}`);
      }
    }
  }
  const exprs = panels.flatMap((p) => p.targets!.map((tg) => tg.expr)).join('\n');
  for (const needed of [
    'host_cpu_usage_ratio{cpu="all"',
    'host_cpu_seconds_total',
    'host_load1',
    'host_load5',
    'host_load15',
    'host_memory_used_ratio',
    'host_memory_available_bytes',
    'host_swap_used_bytes',
    'host_filesystem_used_ratio',
    'host_disk_read_bytes_total',
    'host_disk_written_bytes_total',
    'host_network_receive_bytes_total',
    'host_network_transmit_bytes_total',
    'host_boot_time_seconds',
    'prodpulse_collector_success',
    'prodpulse_alerts',
    'prodpulse_notifications_total',
    'prodpulse_notification_queue_depth',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag',
  ])
    assert.ok(exprs.includes(needed), `a panel queries ${needed}`);
  assert.ok(!/\b(probe|heartbeat)_/.test(exprs), 'no panels for metrics that do not exist yet');
  assert.ok(statSync(at('grafana/dashboards/prodpulse.json')).size > 0);
});
