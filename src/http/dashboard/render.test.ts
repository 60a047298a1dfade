import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFakeViews, fakeService } from '../../../test/support/fake-views.ts';
import { activeAlertsFragment, badge, checksBar, dashboardPage, heartbeatsFragment, jsonScript, servicePage, servicesFragment } from './render.ts';

const XSS = '<img src=x onerror=alert(1)>';
const now = Date.UTC(2026, 10, 29, 12);

test('names and messages from config, probes and pings are escaped everywhere they are shown', () => {
  const views = createFakeViews({ services: 2, now: () => now });
  views.state.services[0] = fakeService(0, now, { name: XSS, environment: `"><script>x()</script>`, version: XSS, events: [{ kind: 'down', at: now, durationMs: null, detail: XSS }] });
  views.state.heartbeats = [{ service: XSS, status: 'DOWN', lastPingAt: now, nextDeadlineAt: now, missedIntervals: 2, lastMessage: XSS, lastRunDurationMs: 10 }];
  views.state.alerts.active = [
    { fingerprint: 'f1', alert: 'A', severity: 'critical', state: 'firing', summary: XSS, labels: { service: XSS }, value: 1, threshold: 0, activeSince: now, firingSince: now, silencedBy: null },
  ];
  views.state.silences = [{ id: 's1', source: 'api', status: 'active', matchers: [{ name: 'x', value: XSS, isRegex: false, isEqual: true }], startsAt: now, endsAt: now + 1, createdBy: XSS, comment: XSS }];
  const page = dashboardPage(views, { version: '1', now }).toString();
  assert.ok(!page.includes('<img'), 'no img element from user data');
  assert.ok(!page.includes('<script>x()'), 'no script element from user data');
  assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'), 'shown as text');
  const detail = servicePage(views.state.services[0]!, { version: '1', now }).toString();
  assert.ok(!detail.includes('<img') && detail.includes('&lt;img src=x'));
});

test('a <script type=application/json> block cannot be closed by the data it carries', () => {
  const s = jsonScript('d', { name: '</script><script>alert(1)</script>' }).toString();
  assert.equal(s.match(/<\/script>/g)?.length, 1);
  assert.deepEqual(JSON.parse(s.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, '')), { name: '</script><script>alert(1)</script>' });
});

test('status is given in words and a shape as well as a colour class', () => {
  for (const [status, shape] of [['HEALTHY', '●'], ['DEGRADED', '▲'], ['DOWN', '✖'], ['UNKNOWN', '?']] as const) {
    const b = badge(status).toString();
    assert.ok(b.includes(`> ${status}<`), b);
    assert.ok(b.includes(shape));
    assert.ok(b.includes(`st-${status.toLowerCase()}`));
  }
});

test('the last-checks bar merges runs of the same outcome and says what it shows', () => {
  const marks = [true, true, false, false, true].map((ok, i) => ({ ok, latencyMs: 1, timestamp: i }));
  const svg = checksBar(marks).toString();
  assert.equal(svg.match(/M/g)?.length, 3, 'three runs: ok, fail, ok');
  assert.match(svg, /aria-label="last 5 checks: 3 ok, 2 failed"/);
  const all = checksBar(Array.from({ length: 80 }, (_, i) => ({ ok: true, latencyMs: 1, timestamp: i }))).toString();
  assert.match(all, /last 50 checks: 50 ok, 0 failed/);
  assert.equal(all.match(/M/g)?.length, 1);
});

test('the services table marks drift and filters by environment on the server when asked', () => {
  const list = [fakeService(0, now, { environment: 'production', drift: false }), fakeService(1, now, { environment: 'staging', drift: true })];
  const all = servicesFragment(list).toString();
  assert.equal(all.match(/<tr data-service=/g)?.length, 2);
  assert.equal(all.match(/⚠ drift/g)?.length, 1);
  const prod = servicesFragment(list, 'production').toString();
  assert.equal(prod.match(/<tr data-service=/g)?.length, 1);
  assert.ok(prod.includes('data-env="production"'));
});

test('empty sections say so', () => {
  assert.match(activeAlertsFragment({ active: [] }, now).toString(), /No active alerts/);
  assert.match(heartbeatsFragment([]).toString(), /No heartbeats configured/);
  assert.match(servicesFragment([]).toString(), /No services configured/);
});
