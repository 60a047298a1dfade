/**
 * The dashboard in Debian's Chromium (playwright-core): a sidecar in this process with a CPU reading the test
 * controls; a sidecar with real services probed on loopback and heartbeat jobs pinged over HTTP, under the shipped
 * rules; hand-set views only for rendering details (escaping, the filter); the real process for SIGTERM. Every
 * request off 127.0.0.1 is refused and recorded. Waits are on DOM state, never on network idle.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { Hono } from 'hono';
import { parse, stringify } from 'yaml';
import type { Collector } from '../../src/collectors/collector.ts';
import { CPU_METRICS } from '../../src/collectors/cpu.ts';
import { MEMORY_METRICS } from '../../src/collectors/memory.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { DEFAULT_MOUNT_POINTS_EXCLUDE } from '../../src/config/schema.ts';
import { createDashboard } from '../../src/http/dashboard/dashboard.ts';
import { listen, type Listening } from '../../src/http/server.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createSidecar, type Sidecar } from '../../src/sidecar.ts';
import { launchChromium, missingChromium, type LaunchedBrowser } from '../support/browser.ts';
import { docShotPath } from '../support/doc-shot.ts';
import { createFakeViews, fakeService, type FakeViews } from '../support/fake-views.ts';
import { freePort } from '../support/free-port.ts';
import { startProbeTarget } from '../support/probe-target.ts';
import { startSidecar } from '../support/sidecar-process.ts';

const skip = missingChromium();
const XSS = '<img src=x onerror=alert(1)>';
const SCREENSHOT = docShotPath('dashboard.png');

let browser: LaunchedBrowser;
before(async () => {
  if (!skip) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (browser) assert.deepEqual(browser.outside, [], 'no request left 127.0.0.1');
});

const facts = async () => ({ hostname: 'h', os: 'linux', kernel: 'k', cpuModel: 'c', cpuCores: 1, arch: 'x64', bootTime: 0 }) as never;

/** `cpu` null: the real host collectors and facts (for the screenshot); else a CPU reading the test sets */
async function inProcessSidecar(cpu: { value: number } | null, config?: string): Promise<{ sidecar: Sidecar; url: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-dash-'));
  const path = join(dir, 'alerts.yaml');
  await writeFile(
    path,
    config ??
      `sampling: { interval: 300ms }
storage: { path: ":memory:" }
server: { token: tok }
rules:
  - { alert: HighCpu, metric: host_cpu_usage_ratio, match: { cpu: all }, op: ">", threshold: 0.9, severity: critical, summary: "${XSS} busy" }
`,
  );
  const loaded = await loadConfigFile(path, { env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  const collectors: Collector[] = [
    { name: 'cpu', kind: 'host', metrics: CPU_METRICS, collect: async () => ({ readings: [{ metric: 'host_cpu_usage_ratio', labels: { cpu: 'all' }, value: cpu?.value ?? 0 }], summary: {} }) },
    {
      name: 'memory',
      kind: 'host',
      metrics: MEMORY_METRICS,
      collect: async () => ({
        readings: [
          { metric: 'host_memory_used_ratio', labels: {}, value: 0.42 },
          { metric: 'host_memory_total_bytes', labels: {}, value: 8 * 2 ** 30 },
          { metric: 'host_swap_used_ratio', labels: {}, value: 0.01 },
        ],
        summary: {},
      }),
    },
  ];
  const sidecar = await createSidecar(loaded.config, { logger: silentLogger(), channelThread: false, ...(cpu ? { collectors, staticFacts: facts } : {}) });
  const l = await sidecar.start({ host: '127.0.0.1', port: 0 });
  return {
    sidecar,
    url: l.url,
    stop: async () => {
      await sidecar.stop(500);
      await rm(dir, { recursive: true, force: true });
    },
  };
}


/** A 1280×900 page in a fresh context closed with the test, counting dialogs (an alert() would mean injected script). */
async function dashboardPage(t: TestContext) {
  const ctx = await browser.context({ viewport: { width: 1280, height: 900 } });
  t.after(() => ctx.close());
  const { page, errors } = await browser.page(ctx);
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  return { page, errors, dialogs: () => dialogs };
}

test('live page on a real sidecar: no console errors, CPU as a number, a new alert appears without a reload, escaped, silences from the page', { skip }, async (t) => {
  const cpu = { value: 0.25 };
  const sc = await inProcessSidecar(cpu);
  t.after(sc.stop);
  for (let i = 0; i < 100 && (await sc.sidecar.app.request('/ready')).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));

  const { page, errors, dialogs } = await dashboardPage(t);
  await page.goto(`${sc.url}/`);
  await page.waitForSelector('#live[data-state="live"]');
  await page.waitForSelector('canvas'); // uPlot drew
  assert.match((await page.textContent('#cpu-value')) ?? '', /^\d+(\.\d)? %$/);
  await page.waitForFunction("document.querySelector('#cpu-value')?.textContent === '25.0 %'");
  assert.match((await page.textContent('#frag-active-alerts')) ?? '', /No active alerts/);

  // the page must not reload: a marker on window survives only in the same document
  await page.evaluate('window.marker = 42');
  cpu.value = 0.97;
  await page.waitForSelector('#frag-active-alerts tr[data-alert="HighCpu"][data-state="firing"]', { timeout: 10_000 });
  assert.equal(await page.evaluate('window.marker'), 42, 'updated in place, not reloaded');
  assert.match((await page.textContent('#cpu-value')) ?? '', /^97\.0 %$/);
  assert.match((await page.textContent('#frag-overview')) ?? '', /DOWN/, 'a critical host alert puts the host DOWN');
  assert.ok(((await page.textContent('#frag-active-alerts .summary')) ?? '').includes(`${XSS} busy`), 'the summary shows as text');
  assert.equal(await page.locator('img').count(), 0, 'no element made from the summary');
  await page.waitForSelector('#frag-history tr[data-alert="HighCpu"]');

  // silences: the token entered in the page, sent as a bearer token to POST /silences and DELETE /silences/:id
  await page.fill('#token', 'tok');
  await page.fill('#silence-form input[name="value"]', 'HighCpu');
  await page.fill('#silence-form input[name="comment"]', 'deploying');
  await page.click('#silence-form button[type="submit"]');
  await page.waitForSelector('#silence-result[data-ok="true"]');
  await page.waitForSelector('#frag-silences tr[data-status="active"]');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('prodpulse-token')), 'tok');
  await page.waitForSelector('#frag-active-alerts .silenced', { timeout: 10_000 });
  await page.click('#frag-silences button.expire');
  await page.waitForSelector('#frag-silences tr[data-status="expired"]');
  await page.fill('#token', 'wrong');
  await page.click('#silence-form button[type="submit"]');
  await page.waitForSelector('#silence-result[data-ok="false"]');
  assert.match((await page.textContent('#silence-result')) ?? '', /401/);

  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), [], 'no console errors');
  assert.equal(dialogs(), 0);
});

test('with JavaScript disabled the page still lists statuses and alerts', { skip }, async (t) => {
  const cpu = { value: 0.97 };
  const sc = await inProcessSidecar(cpu);
  t.after(sc.stop);
  for (let i = 0; i < 200 && ((await (await sc.sidecar.app.request('/alerts')).json()) as { active: unknown[] }).active.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  const ctx = await browser.context({ javaScriptEnabled: false });
  t.after(() => ctx.close());
  const { page } = await browser.page(ctx);
  await page.goto(`${sc.url}/`);
  const overview = (await page.textContent('#frag-overview')) ?? '';
  assert.match(overview, /Host\s+✖ DOWN\s+0 HEALTHY · 0 DEGRADED · 1 DOWN/);
  assert.match((await page.textContent('#cpu-value')) ?? '', /^97\.0 %$/);
  assert.equal(await page.locator('#frag-active-alerts tr[data-alert="HighCpu"]').count(), 1);
  assert.equal(await page.textContent('#live'), 'static page');
});

async function fakeDashboard(t: { after: (fn: () => unknown) => void }, views: FakeViews): Promise<Listening> {
  const dashboard = createDashboard({ views, clock: systemClock, logger: silentLogger(), version: 'test' });
  const app = new Hono();
  dashboard.routes(app);
  const l = await listen(app, { host: '127.0.0.1', port: 0 });
  t.after(async () => {
    dashboard.closeAll();
    await l.close(500);
  });
  return l;
}

const SHIPPED = parse(readFileSync(new URL('../../alerts.yaml', import.meta.url), 'utf8')) as { rules: { alert: string; metric: string }[] };
/** the shipped service and heartbeat rules, as alerts.yaml has them */
const SHIPPED_RULES = SHIPPED.rules.filter((r) => r.metric.startsWith('probe_') || r.metric.startsWith('heartbeat_'));

test('services and heartbeats on a real sidecar: a loopback dependency DOWN and back, drift, a late then missed heartbeat, the service page; screenshot', { skip }, async (t) => {
  const payments = await startProbeTarget({ kind: 'json', version: '2.1.0' });
  const auth = await startProbeTarget({ kind: 'json', version: '4.0.2' });
  const search = await startProbeTarget({ kind: 'json', version: '1.9.0', delayMs: 40 });
  const closedPort = await freePort(); // nothing listens there: connection refused, on loopback
  t.after(() => Promise.all([payments.close(), auth.close(), search.close()]));
  assert.ok(SHIPPED_RULES.some((r) => r.alert === 'ServiceDown') && SHIPPED_RULES.some((r) => r.alert === 'HeartbeatLate') && SHIPPED_RULES.some((r) => r.alert === 'HeartbeatMissed'));
  const sc = await inProcessSidecar(
    null,
    stringify({
      // the real host collectors; this machine's sandbox mounts under /mnt kept out of the picture
      sampling: { interval: '300ms', filesystem: { mount_points_exclude: `${DEFAULT_MOUNT_POINTS_EXCLUDE.replace(')($|/)', '|mnt/.+)($|/)')}` } },
      storage: { path: ':memory:' },
      defaults: { services: { interval: '1s', timeout: '500ms', failure_threshold: 1 } },
      services: [
        { id: 'payments', name: 'Payments API', url: `${payments.origin}/health`, expected_version: '2.1.0', environment: 'production' },
        { id: 'auth', name: 'Auth', url: `${auth.origin}/health`, expected_version: '4.0.2', environment: 'production' },
        { id: 'search', name: 'Search', url: `${search.origin}/health`, environment: 'staging' },
        { id: 'legacy-billing', name: 'Legacy billing', url: `http://127.0.0.1:${closedPort}/health`, environment: 'staging' },
      ],
      heartbeats: [
        { service: 'queue-worker', interval: '2s', allowed_misses: 3 },
        { service: 'nightly-backup', interval: '1d', tolerance: '1h' },
      ],
      rules: SHIPPED_RULES,
    }),
  );
  t.after(sc.stop);
  const ping = async (job: string, init?: RequestInit) => {
    const res = await fetch(`${sc.url}/heartbeat/${job}`, init);
    await res.arrayBuffer();
    assert.equal(res.status, 200, `ping ${job}`);
  };
  await ping('queue-worker');
  await ping('nightly-backup/start');
  await new Promise((r) => setTimeout(r, 150));
  await ping('nightly-backup', { method: 'POST', body: 'ok: 1.2 GB in 95 s' });

  const { page, errors, dialogs } = await dashboardPage(t);
  const row = (id: string) => page.locator(`#frag-services tr[data-service="${id}"]`);
  const sel = (id: string, status: string) => `#frag-services tr[data-service="${id}"][data-status="${status}"]`;
  const hb = (job: string, status: string) => `#frag-heartbeats tr[data-heartbeat="${job}"][data-status="${status}"]`;
  await page.goto(`${sc.url}/`);
  await page.waitForSelector('#live[data-state="live"]');
  await page.evaluate('window.marker = 1');
  await page.waitForSelector(sel('payments', 'HEALTHY'), { timeout: 15_000 });
  await page.waitForSelector(sel('legacy-billing', 'DOWN'), { timeout: 15_000 });
  assert.match((await row('payments').textContent()) ?? '', /● HEALTHY/);
  assert.match((await row('payments').locator('td:nth-child(5)').textContent()) ?? '', /^2\.1\.0 \/ 2\.1\.0$/);

  // the dependency fails: DOWN within two checks past failure_threshold (1), counted in checks the target saw
  const seenAtFailure = payments.seen.length;
  payments.mode = { kind: 'json', status: 503, version: '2.1.0' };
  await page.waitForSelector(sel('payments', 'DOWN'), { timeout: 15_000 });
  const checksToDown = payments.seen.length - seenAtFailure;
  assert.ok(checksToDown >= 1 && checksToDown <= 1 + 2, `DOWN after ${checksToDown} failed checks`);
  assert.match((await row('payments').textContent()) ?? '', /✖ DOWN/);
  await page.waitForSelector('#frag-active-alerts tr[data-alert="ServiceDown"][data-state="firing"]');
  payments.mode = { kind: 'json', version: '2.1.0' };
  await page.waitForSelector(sel('payments', 'HEALTHY'), { timeout: 15_000 });

  // a new version: drift (VersionDrift is a warning, so DEGRADED)
  payments.mode = { kind: 'json', version: '2.2.0' };
  await page.waitForSelector(`${sel('payments', 'DEGRADED')} .drift`, { timeout: 15_000 });
  assert.match((await row('payments').locator('td:nth-child(5)').textContent()) ?? '', /^2\.2\.0 \/ 2\.1\.0 ⚠ drift$/);
  await page.waitForSelector('#frag-active-alerts tr[data-alert="VersionDrift"]');

  // the heartbeat job pings, then stops: late (HeartbeatLate, a warning: DEGRADED) once 2 s pass, missed (DOWN) once
  // allowed_misses (3) intervals pass, HEALTHY again after a ping
  await ping('queue-worker');
  await page.waitForSelector(hb('queue-worker', 'HEALTHY'), { timeout: 15_000 });
  await page.waitForSelector(hb('queue-worker', 'DEGRADED'), { timeout: 15_000 });
  assert.match((await page.textContent('#frag-overview')) ?? '', /Heartbeats\s+▲ DEGRADED/);
  await page.waitForSelector('#frag-active-alerts tr[data-alert="HeartbeatLate"]');
  await page.waitForSelector(hb('queue-worker', 'DOWN'), { timeout: 15_000 });
  await page.waitForSelector('#frag-active-alerts tr[data-alert="HeartbeatMissed"][data-state="firing"]');
  await ping('queue-worker');
  await page.waitForSelector(hb('queue-worker', 'HEALTHY'), { timeout: 15_000 });
  const backup = (await page.textContent(`#frag-heartbeats tr[data-heartbeat="nightly-backup"]`)) ?? '';
  assert.match(backup, /ok: 1\.2 GB in 95 s/);
  assert.match(backup, /\d+ ms$/, 'the run from /start to success');
  assert.equal(await page.evaluate('window.marker'), 1, 'all of it without a reload');

  // the environment filter on real rows
  await page.selectOption('#env-filter', 'staging');
  assert.equal(await row('payments').isHidden(), true);
  assert.equal(await row('search').isVisible(), true);
  await page.selectOption('#env-filter', '');

  // uptime and the last-50 bar from real checks
  assert.match((await row('auth').locator('td:nth-child(6)').textContent()) ?? '', /^100\.00%$/);
  assert.match((await row('legacy-billing').locator('td:nth-child(6)').textContent()) ?? '', /^0\.00%$/);
  const bar = (id: string) => row(id).locator('svg.checks').getAttribute('aria-label');
  assert.match((await bar('payments')) ?? '', /^last \d+ checks: \d+ ok, [1-9]\d* failed$/);
  assert.match((await bar('auth')) ?? '', /^last \d+ checks: \d+ ok, 0 failed$/);
  assert.match((await bar('legacy-billing')) ?? '', /^last (\d+) checks: 0 ok, \1 failed$/);

  await mkdir(join(SCREENSHOT, '..'), { recursive: true });
  await page.waitForSelector('#chart-fs canvas');
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  {
    const dark = await browser.context({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const d = await browser.page(dark);
    await d.page.goto(`${sc.url}/`);
    await d.page.waitForSelector('#live[data-state="live"]');
    await d.page.waitForSelector('#chart-cpu canvas');
    assert.equal(await d.page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(18, 20, 23)');
    await d.page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-dark.png'), fullPage: true });
    assert.deepEqual(d.errors, []);
    await dark.close();
  }

  await page.click('#frag-services tr[data-service="payments"] a');
  await page.waitForSelector('[data-service-page="payments"] #chart-latency canvas');
  const chart = (await page.evaluate("JSON.parse(document.getElementById('service-data').textContent)")) as { points: [number, number | null, number | null][] };
  assert.ok(chart.points.length >= 5, `a point per check (${chart.points.length})`);
  assert.ok(chart.points.some((p) => p[2] !== null) && chart.points.some((p) => p[1] !== null), 'failed and successful checks');
  const events = page.locator('#frag-service-events tr[data-event]');
  await page.waitForSelector('#frag-service-events tr[data-event="down"]');
  const down = (await page.locator('#frag-service-events tr[data-event="down"]').first().textContent()) ?? '';
  assert.match(down, /HTTP 503/);
  assert.doesNotMatch(down, /ongoing/, 'the outage ended, so it has a duration');
  assert.match(down, /\d+(ms|s)/);
  assert.equal(await page.locator('#frag-service-events tr[data-event="up"]').count() >= 1, true);
  assert.match((await page.locator('#frag-service-events tr[data-event="version"]').first().textContent()) ?? '', /2\.1\.0 → 2\.2\.0/);
  assert.ok((await events.count()) >= 3);
  if (process.env.DASH_DEBUG_SHOT) await page.screenshot({ path: process.env.DASH_DEBUG_SHOT, fullPage: true });

  await page.goto(`${sc.url}/`);
  await page.waitForSelector('#live[data-state="live"]');
  assert.deepEqual(errors, [], 'no console errors');
  assert.equal(dialogs(), 0);
});

test('rendering details on hand-set views: names and messages as text, the environment filter, the service page of an odd name', { skip }, async (t) => {
  const now = Date.now();
  const views = createFakeViews({ services: 6 });
  views.state.services[0] = fakeService(0, now, { id: 'xss', name: XSS, status: 'HEALTHY', environment: 'production' });
  views.state.heartbeats = [{ service: `billing ${XSS}`, status: 'HEALTHY', lastPingAt: now - 240_000, nextDeadlineAt: now + 60_000, missedIntervals: 0, lastMessage: XSS, lastRunDurationMs: 1200 }];
  const l = await fakeDashboard(t, views);
  const { page, errors, dialogs } = await dashboardPage(t);
  await page.goto(`${l.url}/`);
  await page.waitForSelector('#live[data-state="live"]');
  const row = (id: string) => page.locator(`#frag-services tr[data-service="${id}"]`);
  assert.equal(await row('xss').locator('td:nth-child(2)').textContent(), XSS, 'the name shows as text');
  assert.ok(((await page.textContent('#frag-heartbeats')) ?? '').includes(`billing ${XSS}`));
  assert.equal(await page.locator('img').count(), 0);

  await page.selectOption('#env-filter', 'staging');
  assert.equal(await row('xss').isHidden(), true);
  assert.ok((await page.locator('#frag-services tr[data-env="staging"]:visible').count()) > 0);
  views.emit('snapshot'); // a re-render keeps the filter
  await page.waitForFunction("document.querySelectorAll('#frag-services tr[data-env=\"production\"]:not([hidden])').length === 0");
  await page.selectOption('#env-filter', '');

  await page.goto(`${l.url}/ui/services/xss`);
  assert.equal(await page.textContent('#service-head h2'), XSS);
  await page.waitForSelector('[data-service-page="xss"] #chart-latency canvas');
  assert.deepEqual(errors, []);
  assert.equal(dialogs(), 0);
});

test('the page follows the system colour scheme', { skip }, async (t) => {
  const l = await fakeDashboard(t, createFakeViews({ services: 2 }));
  for (const [scheme, background] of [['light', 'rgb(251, 251, 252)'], ['dark', 'rgb(18, 20, 23)']] as const) {
    const ctx = await browser.context({ colorScheme: scheme });
    const { page, errors } = await browser.page(ctx);
    await page.goto(`${l.url}/`);
    await page.waitForSelector('#live[data-state="live"]');
    assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), background, scheme);
    assert.deepEqual(errors, []);
    await ctx.close();
  }
});

test('/docs renders offline from local assets', { skip }, async (t) => {
  const sc = await inProcessSidecar({ value: 0.1 });
  t.after(sc.stop);
  const ctx = await browser.context();
  t.after(() => ctx.close());
  const { page, errors } = await browser.page(ctx);
  await page.goto(`${sc.url}/docs`);
  await page.waitForSelector('.swagger-ui .opblock-summary-path');
  const paths = await page.locator('.opblock-summary-path').allTextContents();
  for (const p of ['/metrics', '/alerts', '/silences', '/events']) assert.ok(paths.some((x) => x.replace(/\u200b/g, '') === p), `${p} listed`);
  assert.match((await page.textContent('.swagger-ui .info')) ?? '', /prodpulse/);
  assert.deepEqual(errors, []);
});

test('SIGTERM with dashboards attached: streams end, the process exits within 5 s, the page reconnects to the restarted sidecar by itself', { skip }, async (t) => {
  const port = await freePort();
  const config = 'sampling: { interval: 500ms }\nstorage: { path: ./pp.db }\n';
  const first = await startSidecar({ config, port });
  const ctx = await browser.context();
  t.after(() => ctx.close());
  const { page } = await browser.page(ctx);
  await page.goto(`${first.url}/`);
  await page.waitForSelector('#live[data-state="live"]');
  // a second, raw client: its stream must end, not hang or reset
  const res = await fetch(`${first.url}/events`);
  const reader = res.body!.getReader();
  const drained = (async () => {
    for (;;) if ((await reader.read()).done) return 'ended';
  })();

  const t0 = Date.now();
  const code = await first.stop();
  const took = Date.now() - t0;
  assert.equal(code, 0, first.output());
  assert.ok(took < 5000, `stopped in ${took} ms`);
  assert.equal(await drained, 'ended');
  assert.match(first.output(), /"msg":"stopped"/);
  assert.doesNotMatch(first.output(), /graceful stop took longer/);
  await page.waitForSelector('#live[data-state="reconnecting"]');

  const second = await startSidecar({ config, port });
  t.after(() => second.stop());
  await page.waitForSelector('#live[data-state="live"]', { timeout: 15_000 });
  await page.waitForFunction("/\\d+(\\.\\d)? %/.test(document.querySelector('#cpu-value')?.textContent ?? '')");
});
