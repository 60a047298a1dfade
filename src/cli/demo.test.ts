import assert from 'node:assert/strict';
import { test } from 'node:test';
import { responseChecker } from '../../test/support/openapi.ts';
import { waitFor } from '../../test/support/wait.ts';
import { silentLogger } from '../lib/logger.ts';
import { banner, startDemo, type Demo } from './demo.ts';

interface LiveStatus {
  kind: string;
  target: string;
  status: string;
  alerts: { alert: string }[];
}
interface Live {
  status: LiveStatus[];
  heartbeat?: { heartbeats?: { jobs: { service: string; pushed: { cpuPercent: number | null } | null }[] } };
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const live = async (demo: Demo): Promise<Live | undefined> => {
  const r = await fetch(`${demo.url}/metrics/live`);
  return r.ok ? ((await r.json()) as Live) : undefined;
};
const statusOf = (l: Live | undefined, kind: string, target: string) => l?.status.find((s) => s.kind === kind && s.target === target);
const TARGETS = [
  ['heartbeat', 'auth'],
  ['heartbeat', 'payment'],
  ['heartbeat', 'reporting'],
  ['service', 'inventory-api'],
  ['service', 'pricing-api'],
] as const;

test('the demo: real sidecar, pushed heartbeats and probed dependencies go HEALTHY; faults make them DEGRADED / DOWN, the terminal prints the alerts, RECOVER heals', async (t) => {
  const lines: string[] = [];
  const demo = await startDemo({ host: '127.0.0.1', port: 0, logger: silentLogger(), print: (l) => lines.push(l), env: {}, random: () => 0.5 });
  t.after(() => demo.stop());
  let last: Live | undefined;
  const ctx = () => `status: ${JSON.stringify(last?.status.map((s) => `${s.kind}:${s.target}:${s.status}:${s.alerts.map((a) => a.alert).join('+')}`))}\nprinted:\n${lines.join('\n')}`;
  const waitStatus = (what: string, pred: (l: Live) => boolean, limitMs = 20_000) =>
    waitFor(
      what,
      async () => {
        last = await live(demo);
        return last !== undefined && pred(last);
      },
      limitMs,
      ctx,
    );
  const is = (kind: string, target: string, status: string, alert?: string) => (l: Live) => {
    const s = statusOf(l, kind, target);
    return s?.status === status && (alert === undefined || s.alerts.some((a) => a.alert === alert));
  };

  assert.deepEqual(demo.channels, ['terminal'], 'no real channel in the environment: alerts print');
  const text = banner(demo);
  assert.ok(text.includes(`${demo.url}/`) && text.includes(`${demo.url}/docs`) && text.includes(`curl -X POST ${demo.url}/demo/fault`), text);

  // the dependencies report their versions for real
  const inv = (await (await fetch(demo.dependencies['inventory-api']!)).json()) as { version: string };
  assert.equal(inv.version, '1.4.2');

  // every simulated service pushed metrics and every target is HEALTHY
  await waitStatus('the three services and two dependencies HEALTHY, with pushed metrics', (l) => {
    const pushed = new Set((l.heartbeat?.heartbeats?.jobs ?? []).filter((j) => j.pushed?.cpuPercent != null).map((j) => j.service));
    return TARGETS.every(([k, n]) => is(k, n, 'HEALTHY')(l)) && ['auth', 'payment', 'reporting'].every((s) => pushed.has(s));
  });

  // bad requests: clear JSON errors, nothing changes
  assert.equal((await post(`${demo.url}/demo/fault`, { target: 'inventory-api', fault: 'HIGH_CPU' })).status, 400);
  const unknown = await post(`${demo.url}/demo/fault`, { target: 'nope', fault: 'DOWN' });
  assert.equal(unknown.status, 400);
  assert.match(((await unknown.json()) as { error: string }).error, /target must be one of auth, payment, reporting, inventory-api, pricing-api, all/);
  const form = await fetch(`${demo.url}/demo/fault`, { method: 'POST', body: new URLSearchParams({ target: 'payment', fault: 'DOWN' }) });
  assert.equal(form.status, 415, 'a plain form post (cross-site) is refused');
  assert.equal(demo.faults.get('payment'), 'NONE');

  // HIGH_CPU on payment (through the sidecar's own endpoint, as the dashboard panel posts), HIGH_ERROR_RATE on auth
  // and a slow pricing-api (through the control port) at once
  assert.equal((await post(`${demo.url}/demo/fault`, { target: 'payment', fault: 'HIGH_CPU' })).status, 200);
  assert.equal((await post(`${demo.controlUrl}/demo/fault`, { target: 'auth', fault: 'HIGH_ERROR_RATE' })).status, 200);
  assert.equal((await post(`${demo.controlUrl}/demo/fault`, { target: 'pricing-api', fault: 'SLOW' })).status, 200);
  await waitStatus('payment DEGRADED by HIGH_CPU', is('heartbeat', 'payment', 'DEGRADED', 'HIGH_CPU'));
  await waitStatus('auth DEGRADED by HIGH_ERROR_RATE', is('heartbeat', 'auth', 'DEGRADED', 'HIGH_ERROR_RATE'));
  await waitStatus('pricing-api DEGRADED by ServiceSlow', is('service', 'pricing-api', 'DEGRADED', 'ServiceSlow'));
  await waitFor('the terminal channel printed HIGH_CPU', () => lines.some((l) => /^\[alert firing\] HIGH_CPU warning: payment CPU at 9\d/.test(l)), 15_000, ctx);
  assert.ok(TARGETS.filter(([, n]) => !['payment', 'auth', 'pricing-api'].includes(n)).every(([k, n]) => is(k, n, 'HEALTHY')(last!)), 'the others stay HEALTHY');

  // DOWN: payment's pusher stops; more than 5 s without a heartbeat is DOWN (SERVICE_DOWN), and its last HIGH_CPU goes
  assert.equal((await post(`${demo.url}/demo/fault`, { target: 'payment', fault: 'DOWN' })).status, 200);
  await waitStatus('payment DOWN by SERVICE_DOWN', is('heartbeat', 'payment', 'DOWN', 'SERVICE_DOWN'), 25_000);
  assert.ok(!statusOf(last, 'heartbeat', 'payment')!.alerts.some((a) => a.alert === 'HIGH_CPU'), 'a DOWN service raises no HIGH_CPU from its last sample');
  await waitFor('the terminal channel printed SERVICE_DOWN', () => lines.some((l) => l.startsWith('[alert firing] SERVICE_DOWN critical: payment is DOWN')), 15_000, ctx);

  // a version change on inventory-api: VERSION DRIFT
  assert.equal((await post(`${demo.url}/demo/fault`, { target: 'inventory-api', fault: 'VERSION' })).status, 200);
  await waitStatus('inventory-api DEGRADED by VersionDrift', is('service', 'inventory-api', 'DEGRADED', 'VersionDrift'));
  await waitFor('the terminal channel printed VERSION DRIFT', () => lines.some((l) => l.includes('VersionDrift warning: VERSION DRIFT: inventory-api expected 1.4.2, found 1.5.0')), 15_000, ctx);

  // RECOVER everything: all HEALTHY again, and the resolved notifications print too
  const rec = await post(`${demo.url}/demo/fault`, { target: 'all', fault: 'RECOVER' });
  assert.equal(rec.status, 200);
  assert.deepEqual(((await rec.json()) as { faults: Record<string, string> }).faults, { auth: 'NONE', payment: 'NONE', reporting: 'NONE', 'inventory-api': 'NONE', 'pricing-api': 'NONE' });
  await waitStatus('every target HEALTHY after RECOVER', (l) => TARGETS.every(([k, n]) => is(k, n, 'HEALTHY')(l)), 25_000);
  await waitFor('the terminal channel printed the resolution', () => lines.some((l) => l.startsWith('[alert resolved] SERVICE_DOWN')), 15_000, ctx);

  // the dashboard of the demo shows the Demo panel, wired to the same-origin endpoint
  const page = await (await fetch(`${demo.url}/`, { headers: { accept: 'text/html' } })).text();
  assert.match(page, /<section id="demo" class="demo" data-control-url="\/demo\/fault">/);
  assert.match(page, /data-target="payment" data-fault="HIGH_CPU"/);
});

test('the demo stops cleanly: every server it started is closed', async () => {
  const demo = await startDemo({ host: '127.0.0.1', port: 0, logger: silentLogger(), print: () => undefined, env: {} });
  const urls = [demo.url, demo.controlUrl, ...Object.values(demo.dependencies)];
  for (const u of urls) assert.ok((await fetch(u)).status > 0);
  await demo.stop();
  for (const u of urls) await assert.rejects(fetch(u), `${u} still answers after stop`);
});

test('a real channel configured through the environment replaces the terminal', async (t) => {
  const demo = await startDemo({ host: '127.0.0.1', port: 0, logger: silentLogger(), print: () => undefined, env: { ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' } });
  t.after(() => demo.stop());
  assert.deepEqual(demo.channels, ['team-slack', 'oncall-email', 'webhook', 'alertmanager']);
  const alerts = (await (await fetch(`${demo.url}/alerts`)).json()) as { channels: { name: string; active: boolean }[] };
  assert.deepEqual(alerts.channels.filter((c) => c.active).map((c) => c.name), ['webhook']);
});

test('in demo mode /openapi.json documents /demo/fault, and its real answers match the document', async (t) => {
  const demo = await startDemo({ host: '127.0.0.1', port: 0, logger: silentLogger(), print: () => undefined, env: {} });
  t.after(() => demo.stop());
  const doc = (await (await fetch(`${demo.url}/openapi.json`)).json()) as Parameters<typeof responseChecker>[0];
  assert.ok(doc.paths['/demo/fault']?.post && doc.paths['/demo/fault']?.get, 'documented');
  const check = responseChecker(doc);
  const calls: [string, Response][] = [
    ['get', await fetch(`${demo.url}/demo/fault`)],
    ['post', await post(`${demo.url}/demo/fault`, { target: 'pricing-api', fault: 'SLOW' })],
    ['post', await post(`${demo.url}/demo/fault`, { target: 'pricing-api', fault: 'HIGH_CPU' })],
    ['post', await fetch(`${demo.url}/demo/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })],
    ['post', await fetch(`${demo.url}/demo/fault`, { method: 'POST', body: 'target=auth&fault=DOWN' })],
  ];
  assert.deepEqual(calls.map(([, r]) => r.status), [200, 200, 400, 400, 415]);
  for (const [method, r] of calls) assert.deepEqual(check(method, '/demo/fault', r.status, r.headers.get('content-type') ?? '', await r.json()), []);
});
