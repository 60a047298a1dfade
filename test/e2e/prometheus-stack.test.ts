// The grow-into-Prometheus path, on real parts: Prometheus scrapes the sidecar over TLS with basic auth, evaluates
// the rules that `export-rules` wrote from the same alerts.yaml, and a rule that fires reaches a real Alertmanager.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { ALERTMANAGER_BIN, startAlertmanager } from '../support/alertmanager.ts';
import { missingBinary } from '../support/binaries.ts';
import { eventually, PROMETHEUS_BIN, PROMTOOL_BIN, startPrometheus } from '../support/prometheus.ts';
import { startSidecar } from '../support/sidecar-process.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

function get(url: string, ca: string, auth?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(url, { ca, headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });
}

const skip = missingBinary(PROMETHEUS_BIN, 'prometheus') ?? missingBinary(PROMTOOL_BIN, 'prometheus') ?? missingBinary(ALERTMANAGER_BIN, 'prometheus-alertmanager') ?? missingBinary('/usr/bin/openssl', 'openssl');

test('TLS + basic auth: 401 without credentials, 200 with; Prometheus scrapes over TLS; exported rules fire into Alertmanager', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-stack-'));
  const { cert, key } = selfSignedCert(dir);
  const { readFileSync } = await import('node:fs');
  const ca = readFileSync(cert, 'utf8');
  const hash = bcrypt.hashSync('scrape-pass', 10);
  const config = `
sampling: { interval: 500ms }
server:
  tls: { cert_file: ${cert}, key_file: ${key} }
  basic_auth_users: { prometheus: "${hash}" }
storage: { path: ./data/prodpulse.db }
rules:
  - alert: MemoryTotalKnown
    metric: host_memory_total_bytes
    op: ">"
    threshold: 0
    for: 2s
    severity: info
    labels: { team: platform }
    summary: "memory total {{ value | bytes }}"
`;
  // startSidecar waits on plain-HTTP /ready, which a TLS server cannot answer: wait here instead
  const sidecar = await startSidecar({ config, waitReady: false });
  t.after(() => sidecar.stop());
  const base = `https://127.0.0.1:${sidecar.port}`;
  await eventually(async () => (await get(`${base}/ready`, ca, 'prometheus:scrape-pass')).status === 200, 20_000, `TLS sidecar ready\n${sidecar.output()}`);

  const anon = await get(`${base}/metrics`, ca);
  assert.equal(anon.status, 401);
  assert.match(String(anon.headers['www-authenticate']), /^Basic realm="prodpulse"/);
  assert.equal((JSON.parse(anon.body) as { error: string }).error.startsWith('authentication required'), true);
  assert.equal((await get(`${base}/metrics`, ca, 'prometheus:wrong')).status, 401);
  assert.equal((await get(`${base}/health`, ca)).status, 401, 'every endpoint is behind basic auth');
  const ok = await get(`${base}/metrics`, ca, 'prometheus:scrape-pass');
  assert.equal(ok.status, 200);
  assert.match(ok.body, /^host_memory_total_bytes \d+/m);

  // the same thresholds, moved into Prometheus
  const rulesFile = join(dir, 'prodpulse-rules.yml');
  writeFileSync(join(dir, 'alerts.yaml'), config);
  const exported = spawnSync(process.execPath, [MAIN, 'export-rules', join(dir, 'alerts.yaml'), '--out', rulesFile], { encoding: 'utf8' });
  assert.equal(exported.status, 0, exported.stderr);
  const check = spawnSync(PROMTOOL_BIN, ['check', 'rules', rulesFile], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);

  const am = await startAlertmanager();
  t.after(() => am.close());
  writeFileSync(join(dir, 'ca.crt'), ca);
  const prom = await startPrometheus({
    config: `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ ${rulesFile} ]
alerting:
  alertmanagers: [ { static_configs: [ { targets: ['127.0.0.1:${am.port}'] } ] } ]
scrape_configs:
  - job_name: prodpulse
    scheme: https
    tls_config: { ca_file: ${join(dir, 'ca.crt')} }
    basic_auth: { username: prometheus, password: scrape-pass }
    static_configs: [ { targets: ['127.0.0.1:${sidecar.port}'] } ]
`,
  });
  t.after(() => prom.stop());
  const up = await eventually(async () => (await prom.query('up{job="prodpulse"}'))[0], 20_000, 'up series');
  assert.equal(up.value[1], '1', 'Prometheus scrapes over TLS with basic auth');

  const fired = await eventually(
    async () => {
      const r = await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22MemoryTotalKnown%22`);
      const alerts = (await r.json()) as { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string } }[];
      return alerts[0];
    },
    30_000,
    'alert in Alertmanager',
  );
  assert.equal(fired.labels.severity, 'info');
  assert.equal(fired.labels.team, 'platform');
  assert.equal(fired.labels.job, 'prodpulse');
  assert.match(fired.annotations.summary ?? '', /^memory total \d/);
});

test('a real Prometheus scrapes the probe metrics and the exported ServiceDown rule fires on the same failed checks', { skip }, async (t) => {
  const { readFileSync } = await import('node:fs');
  const { parse, stringify } = await import('yaml');
  const { startProbeTarget } = await import('../support/probe-target.ts');
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-probes-'));
  const target = await startProbeTarget({ kind: 'json', status: 500, version: '2.1.0' });
  t.after(() => target.close());
  const shipped = parse(readFileSync(new URL('../../alerts.yaml', import.meta.url), 'utf8')) as { rules: { alert: string }[] };
  const config = stringify({
    sampling: { interval: '500ms' },
    services: [{ id: 'payments', name: 'Payments', url: `${target.origin}/health`, expected_version: '2.1.0', interval: '1s', timeout: '500ms' }],
    rules: shipped.rules.filter((r) => ['ServiceDown', 'VersionDrift', 'ServiceSlow'].includes(r.alert)),
  });
  const sidecar = await startSidecar({ config });
  t.after(() => sidecar.stop());
  writeFileSync(join(dir, 'alerts.yaml'), config);
  const rulesFile = join(dir, 'rules.yml');
  const exported = spawnSync(process.execPath, [MAIN, 'export-rules', join(dir, 'alerts.yaml'), '--out', rulesFile], { encoding: 'utf8' });
  assert.equal(exported.status, 0, exported.stderr);
  const prom = await startPrometheus({
    config: `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ ${rulesFile} ]
scrape_configs:
  - job_name: prodpulse
    static_configs: [ { targets: ['127.0.0.1:${sidecar.port}'] } ]
`,
  });
  t.after(() => prom.stop());
  const success = await eventually(async () => (await prom.query('probe_success{service="payments"}'))[0], 20_000, 'probe_success scraped');
  assert.equal(success.value[1], '0');
  assert.equal(success.metric.environment, 'production');
  const reason = await eventually(async () => (await prom.query('probe_failure_info{service="payments"} == 1'))[0], 20_000, 'failure reason scraped');
  assert.equal(reason.metric.reason, 'status');
  const firing = await eventually(async () => (await prom.query('ALERTS{alertname="ServiceDown",alertstate="firing"}'))[0], 30_000, 'ServiceDown firing in Prometheus');
  assert.equal(firing.metric.service, 'payments');
  assert.equal(firing.metric.severity, 'critical');
});
