import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../lib/logger.ts';
import { startDemo } from './demo.ts';

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('the demo: dependencies report versions and take faults, a simulated fault raises an alert that prints to the terminal', async (t) => {
  const lines: string[] = [];
  const demo = await startDemo({ host: '127.0.0.1', port: 0, logger: silentLogger(), print: (l) => lines.push(l), interval: '300ms', random: () => 0.5 });
  t.after(() => demo.stop());

  const inv = demo.dependencies['inventory-api']!;
  const ok = await fetch(inv);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('x-service-version'), '1.4.2');
  assert.equal(((await ok.json()) as { version: string }).version, '1.4.2');

  assert.equal((await post(`${demo.controlUrl}/demo/fault`, { target: 'inventory-api', fault: 'DOWN' })).status, 200);
  assert.equal((await fetch(inv)).status, 503);
  assert.equal((await post(`${inv}/demo/fault`, { fault: 'VERSION' })).status, 200);
  assert.equal((await fetch(inv)).headers.get('x-service-version'), '1.5.0');
  assert.equal((await post(`${demo.controlUrl}/demo/fault`, { target: 'inventory-api', fault: 'HIGH_CPU' })).status, 400, 'a service fault is refused for a dependency');
  assert.equal((await post(`${demo.controlUrl}/demo/fault`, { target: 'nope', fault: 'DOWN' })).status, 400);

  assert.equal((await post(`${demo.controlUrl}/demo/fault`, { target: 'payment', fault: 'HIGH_CPU' })).status, 200);
  const until = Date.now() + 20_000;
  while (!lines.some((l) => l.startsWith('[alert firing] ServiceHighCpu critical: payment CPU at'))) {
    assert.ok(Date.now() < until, `no alert printed; got:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const alerts = (await (await fetch(`${demo.url}/alerts`)).json()) as { active: { alert: string; labels: Record<string, string> }[] };
  assert.ok(alerts.active.some((a) => a.alert === 'ServiceHighCpu' && a.labels.service === 'payment'));
  assert.equal((await fetch(`${demo.url}/`)).status, 200);
});

test('the demo fault page: plain forms that set a fault and come back', async (t) => {
  const demo = await startDemo({ host: '127.0.0.1', port: 0, logger: silentLogger(), print: () => undefined, interval: '1h' });
  t.after(() => demo.stop());
  const page = await (await fetch(`${demo.controlUrl}/`)).text();
  assert.match(page, /<button name="fault" value="HIGH_CPU">/);
  const r = await fetch(`${demo.controlUrl}/demo/fault`, { method: 'POST', body: new URLSearchParams({ target: 'pricing-api', fault: 'DOWN' }), redirect: 'manual' });
  assert.equal(r.status, 303);
  assert.equal((await fetch(demo.dependencies['pricing-api']!)).status, 503);
  assert.match(await (await fetch(`${demo.controlUrl}/`)).text(), /<th>pricing-api<\/th>.*<td>DOWN<\/td>/s);
});
