import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { createFakeViews } from '../../../test/support/fake-views.ts';
import { DemoFaults } from '../../demo/faults.ts';
import { demoRoutes } from '../../demo/routes.ts';
import { systemClock } from '../../lib/clock.ts';
import { silentLogger } from '../../lib/logger.ts';
import { createDashboard } from './dashboard.ts';
import type { DemoPanel } from './views.ts';

/** the dashboard's routes on an app, with the demo's fault endpoint when a panel is given (as the sidecar mounts them) */
function app(panel?: { faults: DemoFaults; demo: DemoPanel }) {
  const a = new Hono();
  if (panel) demoRoutes(a, panel.faults);
  const dashboard = createDashboard({ views: createFakeViews(), clock: systemClock, logger: silentLogger(), version: 't', ...(panel ? { demo: panel.demo } : {}) });
  dashboard.routes(a);
  return { a, close: () => dashboard.closeAll() };
}

const page = async (a: Hono) => (await a.request('/', { headers: { accept: 'text/html' } })).text();

test('without demo mode the dashboard has no Demo panel and no fault endpoint', async (t) => {
  const { a, close } = app();
  t.after(close);
  const html = await page(a);
  assert.ok(html.includes('<section id="alerts">'), 'the page rendered');
  assert.ok(!html.includes('id="demo"') && !html.includes('demo-fault'), 'no Demo panel');
  assert.equal((await a.request('/demo/fault', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"target":"payment","fault":"HIGH_CPU"}' })).status, 404);
});

test('in demo mode the panel lists every target with its faults, and each button posts {target, fault} that the endpoint applies', async (t) => {
  const faults = new DemoFaults(['auth', 'payment'], ['inventory-api']);
  faults.apply('inventory-api', 'SLOW');
  const { a, close } = app({ faults, demo: { targets: faults.targets, controlUrl: '/demo/fault', state: () => faults.state() } });
  t.after(close);
  const res = await a.request('/', { headers: { accept: 'text/html' } });
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /connect-src 'self'/);
  const html = await res.text();
  assert.match(html, /<section id="demo" class="demo" data-control-url="\/demo\/fault">/);
  assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
  assert.match(html, /<tr data-demo-target="inventory-api">.*?<td class="demo-current">SLOW<\/td>/s, 'the current fault is shown');
  const buttons = [...html.matchAll(/<button type="button" class="demo-fault" data-target="([^"]+)" data-fault="([^"]+)" disabled>/g)].map((m) => [m[1]!, m[2]!] as const);
  assert.deepEqual(
    buttons.filter(([target]) => target === 'payment').map(([, f]) => f),
    ['HIGH_CPU', 'HIGH_ERROR_RATE', 'DOWN', 'RECOVER'],
  );
  assert.deepEqual(
    buttons.filter(([target]) => target === 'inventory-api').map(([, f]) => f),
    ['DOWN', 'VERSION', 'SLOW', 'RECOVER'],
  );
  // what the page script sends for each button (src/http/dashboard/client/dashboard.js): every one is accepted
  for (const [target, fault] of buttons) {
    const r = await a.request('/demo/fault', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target, fault }) });
    assert.equal(r.status, 200, `${target} ${fault}: ${await r.clone().text()}`);
    const body = (await r.json()) as { faults: Record<string, string> };
    if (target !== 'all') assert.equal(body.faults[target], fault === 'RECOVER' ? 'NONE' : fault);
  }
  assert.deepEqual(faults.state(), { auth: 'NONE', payment: 'NONE', 'inventory-api': 'NONE' }, 'RECOVER all was the last button');
  // the page script is what wires them
  const js = await (await a.request('/assets/dashboard.js')).text();
  assert.ok(js.includes("closest('button.demo-fault')") && js.includes('demo.dataset.controlUrl'));
});
