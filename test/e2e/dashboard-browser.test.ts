/**
 * The dashboard in Debian's Chromium (playwright-core): a sidecar in this process with a CPU reading the test
 * controls, a dashboard on hand-set views for services and heartbeats, and the real process for SIGTERM. Every
 * request off 127.0.0.1 is refused and recorded. Waits are on DOM state, never on network idle.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import type { Collector } from '../../src/collectors/collector.ts';
import { CPU_METRICS } from '../../src/collectors/cpu.ts';
import { MEMORY_METRICS } from '../../src/collectors/memory.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { createDashboard } from '../../src/http/dashboard/dashboard.ts';
import { listen, type Listening } from '../../src/http/server.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createSidecar, type Sidecar } from '../../src/sidecar.ts';
import { launchChromium, missingChromium, type LaunchedBrowser } from '../support/browser.ts';
import { createFakeViews, fakeService, type FakeViews } from '../support/fake-views.ts';
import { freePort } from '../support/free-port.ts';
import { startSidecar } from '../support/sidecar-process.ts';

const skip = missingChromium();
const XSS = '<img src=x onerror=alert(1)>';
const SCREENSHOT = new URL('../../docs/dashboard.png', import.meta.url).pathname;

let browser: LaunchedBrowser;
before(async () => {
  if (!skip) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (browser) assert.deepEqual(browser.outside, [], 'no request left 127.0.0.1');
});

const facts = async () => ({ hostname: 'h', os: 'linux', kernel: 'k', cpuModel: 'c', cpuCores: 1, arch: 'x64', bootTime: 0 }) as never;

async function inProcessSidecar(cpu: { value: number }): Promise<{ sidecar: Sidecar; url: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'prodpulse-dash-'));
  const path = join(dir, 'alerts.yaml');
  await writeFile(
    path,
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
    { name: 'cpu', kind: 'host', metrics: CPU_METRICS, collect: async () => ({ readings: [{ metric: 'host_cpu_usage_ratio', labels: { cpu: 'all' }, value: cpu.value }], summary: {} }) },
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
  const sidecar = await createSidecar(loaded.config, { logger: silentLogger(), collectors, staticFacts: facts, channelThread: false });
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

test('live page on a real sidecar: no console errors, CPU as a number, a new alert appears without a reload, escaped, silences from the page', { skip }, async (t) => {
  const cpu = { value: 0.25 };
  const sc = await inProcessSidecar(cpu);
  t.after(sc.stop);
  for (let i = 0; i < 100 && (await sc.sidecar.app.request('/ready')).status !== 200; i++) await new Promise((r) => setTimeout(r, 20));

  const ctx = await browser.context({ viewport: { width: 1280, height: 900 } });
  t.after(() => ctx.close());
  const { page, errors } = await browser.page(ctx);
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
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
  assert.equal(dialogs, 0);
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

test('services and heartbeats: a service going DOWN and back, a late heartbeat, escaping, environment filter, service page; screenshot', { skip }, async (t) => {
  const now = Date.now();
  const views = createFakeViews({ services: 6 });
  views.state.services[0] = fakeService(0, now, { id: 'xss', name: XSS, status: 'HEALTHY', environment: 'production' });
  views.state.services[1] = fakeService(1, now, { id: 'payments', name: 'payments-api', status: 'HEALTHY', environment: 'production', drift: false, version: '2.4.1', expectedVersion: '2.4.1' });
  views.state.heartbeats = [
    { service: 'nightly-backup', status: 'HEALTHY', lastPingAt: now - 60_000, nextDeadlineAt: now + 3_540_000, missedIntervals: 0, lastMessage: 'ok: 1.2 GB', lastRunDurationMs: 95_000 },
    { service: `billing ${XSS}`, status: 'HEALTHY', lastPingAt: now - 240_000, nextDeadlineAt: now + 60_000, missedIntervals: 0, lastMessage: XSS, lastRunDurationMs: 1200 },
  ];
  views.state.alerts = {
    active: [{ fingerprint: 'f1', alert: 'ServiceDown', severity: 'critical', state: 'firing', summary: 'service 4 is down (3 failed checks)', labels: { service: 'svc-4' }, value: 3, threshold: 3, activeSince: now - 300_000, firingSince: now - 300_000, silencedBy: null }],
    history: [
      { fingerprint: 'f1', alert: 'ServiceDown', severity: 'critical', summary: 'service 4 is down', state: 'firing', startsAt: now - 300_000, endsAt: null, durationMs: 300_000, deliveries: [{ channel: 'team-slack', kind: 'firing', status: 'delivered', attempts: 1, lastError: null, deliveredAt: now - 299_000 }] },
      { fingerprint: 'f2', alert: 'HighCpu', severity: 'warning', summary: 'CPU at 93%', state: 'resolved', startsAt: now - 7_200_000, endsAt: now - 6_900_000, durationMs: 300_000, deliveries: [{ channel: 'team-slack', kind: 'resolved', status: 'delivered', attempts: 1, lastError: null, deliveredAt: now - 6_899_000 }, { channel: 'oncall-email', kind: 'resolved', status: 'failed', attempts: 5, lastError: 'connect ECONNREFUSED', deliveredAt: null }] },
    ],
    historyTotal: 2,
    channels: [{ name: 'team-slack', type: 'slack', active: true }, { name: 'oncall-email', type: 'email', active: true }],
    queueDepth: 0,
  };
  const l = await fakeDashboard(t, views);
  const ctx = await browser.context({ viewport: { width: 1280, height: 900 } });
  t.after(() => ctx.close());
  const { page, errors } = await browser.page(ctx);
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page.goto(`${l.url}/`);
  await page.waitForSelector('#live[data-state="live"]');
  const row = (id: string) => page.locator(`#frag-services tr[data-service="${id}"]`);
  assert.equal(await row('xss').locator('td:nth-child(2)').textContent(), XSS, 'the name shows as text');
  assert.equal(await page.locator('img').count(), 0);

  await page.evaluate('window.marker = 1');
  views.state.services[1]!.status = 'DOWN';
  views.emit('snapshot');
  await page.waitForSelector('#frag-services tr[data-service="payments"][data-status="DOWN"]');
  assert.match((await row('payments').textContent()) ?? '', /✖ DOWN/);
  views.state.services[1]!.status = 'HEALTHY';
  views.emit('snapshot');
  await page.waitForSelector('#frag-services tr[data-service="payments"][data-status="HEALTHY"]');

  views.state.heartbeats[0] = { ...views.state.heartbeats[0]!, status: 'DEGRADED', missedIntervals: 1 };
  views.emit('snapshot');
  await page.waitForSelector('#frag-heartbeats tr[data-heartbeat="nightly-backup"][data-status="DEGRADED"]');
  assert.match((await page.textContent('#frag-overview')) ?? '', /Heartbeats\s+▲ DEGRADED/);
  assert.equal(await page.evaluate('window.marker'), 1, 'no reload');

  await page.selectOption('#env-filter', 'staging');
  assert.equal(await row('payments').isHidden(), true);
  assert.ok((await page.locator('#frag-services tr[data-env="staging"]:visible').count()) > 0);
  await page.selectOption('#env-filter', '');

  await mkdir(join(SCREENSHOT, '..'), { recursive: true });
  await page.waitForSelector('#chart-fs canvas');
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  await page.click('#frag-services tr[data-service="payments"] a');
  await page.waitForSelector('[data-service-page="payments"] #chart-latency canvas');
  assert.match((await page.textContent('#frag-service-events')) ?? '', /timeout: no answer within 5s/);
  assert.match((await page.textContent('#frag-service-events')) ?? '', /2m/);
  await page.goto(`${l.url}/ui/services/xss`);
  assert.equal(await page.textContent('#service-head h2'), XSS);
  assert.deepEqual(errors, []);
  assert.equal(dialogs, 0);
});

test('the page follows the system colour scheme', { skip }, async (t) => {
  const l = await fakeDashboard(t, createFakeViews({ services: 2 }));
  for (const [scheme, background] of [['light', 'rgb(251, 251, 252)'], ['dark', 'rgb(18, 20, 23)']] as const) {
    const ctx = await browser.context({ colorScheme: scheme });
    const { page, errors } = await browser.page(ctx);
    await page.goto(`${l.url}/`);
    await page.waitForSelector('#live[data-state="live"]');
    assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), background, scheme);
    if (scheme === 'dark') await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-dark.png'), fullPage: false });
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
