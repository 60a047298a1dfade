// The core exporter end to end: a real sidecar process, real promtool, a real Prometheus scraping it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { missingBinary } from '../support/binaries.ts';
import { eventually, PROMETHEUS_BIN, PROMTOOL_BIN, startPrometheus } from '../support/prometheus.ts';
import { startSidecar, type RunningSidecar } from '../support/sidecar-process.ts';

const CONFIG = `
sampling:
  interval: 500ms
storage:
  path: ./data/prodpulse.db
`;

describe('exporter process', () => {
  let sidecar: RunningSidecar;
  before(async () => {
    sidecar = await startSidecar({ config: CONFIG });
  });
  after(async () => {
    await sidecar?.stop();
  });

  test('GET /metrics serves host and self metrics in Prometheus text format', async () => {
    const r = await fetch(`${sidecar.url}/metrics`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await r.text();
    for (const name of [
      'host_cpu_usage_ratio{cpu="all"}',
      'host_cpu_seconds_total{cpu="0",mode="idle"}',
      'host_load1 ',
      'host_memory_total_bytes ',
      'host_memory_available_bytes ',
      'host_memory_used_ratio ',
      'host_swap_total_bytes ',
      'host_filesystem_size_bytes{',
      'host_filesystem_used_ratio{',
      'host_boot_time_seconds ',
      'prodpulse_build_info{',
      'prodpulse_collector_success{collector="cpu"} 1',
      'prodpulse_collector_duration_seconds{collector="memory"}',
      'prodpulse_last_sample_timestamp_seconds ',
      'process_resident_memory_bytes ',
      'nodejs_eventloop_lag_max_seconds ',
    ]) {
      assert.ok(text.includes(name), `missing ${name} in /metrics`);
    }
    assert.ok(!/^host_network_receive_bytes_total\{device="lo"\}/m.test(text), 'loopback is excluded by default');
    assert.ok(!/mountpoint="\/proc"/.test(text), 'pseudo filesystems are excluded by default');
    const ratio = Number(/^host_cpu_usage_ratio\{cpu="all"\} (\S+)$/m.exec(text)?.[1]);
    assert.ok(ratio >= 0 && ratio <= 1, `cpu ratio ${ratio} within 0..1`);
  });

  test('promtool check metrics finds no problem', { skip: missingBinary(PROMTOOL_BIN, 'prometheus') }, async () => {
    const text = await (await fetch(`${sidecar.url}/metrics`)).text();
    const res = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(res.status, 0, `promtool check metrics failed:\n${res.stdout}${res.stderr}`);
    assert.equal(`${res.stdout}${res.stderr}`.trim(), '', 'promtool reported lint problems');
  });

  test('OpenMetrics when asked for, ending with # EOF; counters keep _total in the text format afterwards', async () => {
    const om = await fetch(`${sidecar.url}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    assert.equal(om.status, 200);
    assert.match(om.headers.get('content-type') ?? '', /^application\/openmetrics-text; version=1\.0\.0/);
    const body = await om.text();
    assert.ok(body.endsWith('# EOF\n'), 'OpenMetrics ends with # EOF');
    assert.match(body, /^# TYPE host_cpu_seconds counter$/m);
    assert.match(body, /^host_cpu_seconds_total\{cpu="0",mode="idle"\} /m);
    const text = await (await fetch(`${sidecar.url}/metrics`)).text();
    assert.match(text, /^# TYPE host_cpu_seconds_total counter$/m);
    assert.ok(!text.includes('# EOF'));
  });

  test('gzip when the client accepts it', async () => {
    const { request } = await import('node:http');
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      request(`${sidecar.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(raw.headers['content-encoding'], 'gzip');
    const text = gunzipSync(raw.body).toString('utf8');
    assert.match(text, /^host_memory_total_bytes \d+/m);
  });

  test('/metrics/live: the same sample as JSON with explicit units', async () => {
    const r = await fetch(`${sidecar.url}/metrics/live?history=5`);
    assert.equal(r.status, 200);
    const live = (await r.json()) as {
      takenAt: string;
      ageSeconds: number;
      intervalSeconds: number;
      collectors: Record<string, { ok: boolean; durationMs: number }>;
      host: { cpu: { usagePercent: number; count: number }; memory: { totalBytes: number; availableBytes: number; usedPercent: number }; filesystem: { mountpoint: string; sizeBytes: number; usedPercent: number }[] };
      history: { takenAt: number; values: Record<string, number> }[];
    };
    assert.ok(!Number.isNaN(Date.parse(live.takenAt)));
    assert.ok(live.ageSeconds >= 0 && live.ageSeconds < 5, `age ${live.ageSeconds}`);
    assert.equal(live.intervalSeconds, 0.5);
    for (const c of ['cpu', 'load', 'memory', 'filesystem', 'disk', 'network', 'boot']) assert.equal(live.collectors[c]?.ok, true, `collector ${c} ok`);
    assert.ok(live.host.cpu.usagePercent >= 0 && live.host.cpu.usagePercent <= 100);
    assert.ok(live.host.memory.totalBytes > live.host.memory.availableBytes);
    assert.ok(live.host.filesystem.some((f) => f.mountpoint === '/' && f.sizeBytes > 0));
    assert.ok(live.history.length >= 1 && live.history.length <= 5);
    const bad = await fetch(`${sidecar.url}/metrics/live?history=abc`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid query');
  });

  test('/health is ok; unknown paths are JSON 404', async () => {
    const h = await fetch(`${sidecar.url}/health`);
    assert.equal(h.status, 200);
    assert.equal(((await h.json()) as { status: string }).status, 'ok');
    const nf = await fetch(`${sidecar.url}/nope`);
    assert.equal(nf.status, 404);
    assert.match(((await nf.json()) as { error: string }).error, /no route for GET \/nope/);
  });

  test('SIGTERM stops the process gracefully within 5 s', async () => {
    const s = await startSidecar({ config: CONFIG });
    const t0 = Date.now();
    const code = await s.stop();
    assert.equal(code, 0, s.output());
    assert.ok(Date.now() - t0 < 5000);
    assert.match(s.output(), /"msg":"stopped"/);
  });
});

describe('a real Prometheus scrapes the sidecar', { skip: missingBinary(PROMETHEUS_BIN, 'prometheus') }, () => {
  test('up == 1 and host values are queryable', async (t) => {
    const sidecar = await startSidecar({ config: CONFIG });
    t.after(() => sidecar.stop());
    const prom = await startPrometheus({
      config: `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: prodpulse
    static_configs: [ { targets: ['127.0.0.1:${sidecar.port}'] } ]
`,
    });
    t.after(() => prom.stop());
    const up = await eventually(async () => (await prom.query('up{job="prodpulse"}'))[0], 20_000, 'up series');
    assert.equal(up.value[1], '1');
    const cpu = await eventually(async () => (await prom.query('host_cpu_usage_ratio{cpu="all"}'))[0], 10_000, 'cpu series');
    const v = Number(cpu.value[1]);
    assert.ok(v >= 0 && v <= 1);
    const mem = await eventually(async () => (await prom.query('host_memory_available_bytes'))[0], 10_000, 'memory series');
    assert.ok(Number(mem.value[1]) > 0);
    // Prometheus negotiated OpenMetrics: the counter must still be read as a counter with its _total name
    const counter = await eventually(async () => (await prom.query('host_cpu_seconds_total{mode="idle"}'))[0], 10_000, 'counter series');
    assert.ok(Number(counter.value[1]) > 0);
  });
});
