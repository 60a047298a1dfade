import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Hono } from 'hono';
import { createFakeViews, type FakeViews } from '../../../test/support/fake-views.ts';
import { systemClock } from '../../lib/clock.ts';
import { silentLogger } from '../../lib/logger.ts';
import { listen } from '../server.ts';
import { createDashboard, type Dashboard } from './dashboard.ts';

async function serve(t: TestContext, opts: { maxClients?: number; heartbeatMs?: number } = {}): Promise<{ url: string; views: FakeViews; dashboard: Dashboard }> {
  const views = createFakeViews({ services: 3 });
  const dashboard = createDashboard({ views, clock: systemClock, logger: silentLogger(), version: 't', ...opts });
  const app = new Hono();
  dashboard.routes(app);
  const l = await listen(app, { host: '127.0.0.1', port: 0 });
  t.after(async () => {
    dashboard.closeAll();
    await l.close(500);
  });
  return { url: l.url, views, dashboard };
}

/** An SSE reader: collects text and waits for a pattern or for the end of the stream. */
async function openStream(url: string) {
  const ac = new AbortController();
  const res = await fetch(`${url}/events`, { signal: ac.signal });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  let ended = false;
  const done = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return {
    res,
    text: () => text,
    ended: () => ended,
    done,
    abort: () => ac.abort(),
    async waitFor(re: RegExp, ms = 5000): Promise<void> {
      const until = Date.now() + ms;
      while (!re.test(text)) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${re}; got:\n${text.slice(-500)}`);
        if (ended) throw new Error(`stream ended before ${re}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

const waitUntil = async (cond: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('a client gets every section on connect, then only the sections that changed', async (t) => {
  const { url, views } = await serve(t);
  const s = await openStream(url);
  assert.equal(s.res.headers.get('content-type'), 'text/event-stream');
  await s.waitFor(/event: host-history/);
  for (const id of ['overview', 'active-alerts', 'host-stats', 'services', 'heartbeats', 'history', 'silences']) assert.match(s.text(), new RegExp(`"id":"${id}"`));
  const before = s.text().length;

  views.state.services[0]!.status = 'DOWN';
  views.state.services[0]!.name = 'payments <b>';
  views.emit('snapshot');
  await s.waitFor(/payments &lt;b&gt;/);
  const update = s.text().slice(before);
  assert.match(update, /"id":"services"/);
  assert.match(update, /event: host\n/);
  assert.doesNotMatch(update, /"id":"history"/, 'alert sections are not re-sent on a snapshot');

  const mark = s.text().length;
  views.emit('snapshot');
  await s.waitFor(/event: host\n[\s\S]*event: host\n/);
  assert.doesNotMatch(s.text().slice(mark), /"id":"services"/, 'an unchanged section is not sent again');

  views.state.alerts.active = [
    { fingerprint: 'f', alert: 'NewAlert', severity: 'critical', state: 'firing', summary: 's', labels: {}, value: 1, threshold: 0, activeSince: 1, firingSince: 1, silencedBy: null },
  ];
  views.emit('alerts');
  await s.waitFor(/"id":"active-alerts","html":.*NewAlert/);
  s.abort();
});

test('the stream ends when the client disconnects, and the hub lets go of it', async (t) => {
  const { url, views, dashboard } = await serve(t);
  const s = await openStream(url);
  await s.waitFor(/event: host-history/);
  assert.equal(dashboard.events.clients(), 1);
  assert.equal(views.listeners(), 1);
  s.abort();
  await waitUntil(() => dashboard.events.clients() === 0);
  assert.equal(views.listeners(), 0, 'no client: the hub stops listening to the views');
});

test('closeAll ends every stream cleanly and refuses new ones', async (t) => {
  const { url, dashboard } = await serve(t);
  const a = await openStream(url);
  const b = await openStream(url);
  await a.waitFor(/event: host-history/);
  await b.waitFor(/event: host-history/);
  dashboard.closeAll();
  await Promise.all([a.done, b.done]);
  assert.ok(a.ended() && b.ended());
  assert.equal(dashboard.events.clients(), 0);
  const r = await fetch(`${url}/events`);
  assert.equal(r.status, 503);
  assert.deepEqual(await r.json(), { error: 'shutting down' });
});

test('streams are bounded: past maxClients a new one gets 503 JSON', async (t) => {
  const { url } = await serve(t, { maxClients: 2 });
  const a = await openStream(url);
  const b = await openStream(url);
  await a.waitFor(/host-history/);
  await b.waitFor(/host-history/);
  const r = await fetch(`${url}/events`);
  assert.equal(r.status, 503);
  assert.match(((await r.json()) as { error: string }).error, /too many dashboard streams \(at most 2\)/);
  a.abort();
  b.abort();
});

test('comment lines keep an idle stream open', async (t) => {
  const { url } = await serve(t, { heartbeatMs: 50 });
  const s = await openStream(url);
  await s.waitFor(/: keep-alive\n\n[\s\S]*: keep-alive\n\n/);
  s.abort();
});

test('the page carries a strict Content-Security-Policy, and JSON clients still get the endpoint index', async (t) => {
  const { url } = await serve(t);
  const r = await fetch(`${url}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.doesNotMatch(r.headers.get('content-security-policy') ?? '', /unsafe-inline/);
  assert.match(await r.text(), /<title>prodpulse<\/title>/);
  const asset = await fetch(`${url}/assets/uplot.min.js`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  assert.ok((await asset.text()).includes('uPlot'));
  assert.equal((await fetch(`${url}/assets/..%2Fpackage.json`)).status, 404);
  assert.equal((await fetch(`${url}/ui/services/svc-1`)).status, 200);
  assert.equal((await fetch(`${url}/ui/services/nope`)).status, 404);
});

test('without a Node response (app.request) the same stream runs through hono/streaming and ends on closeAll', async () => {
  const views = createFakeViews({ services: 1 });
  const dashboard = createDashboard({ views, clock: systemClock, logger: silentLogger(), version: 't' });
  const app = new Hono();
  dashboard.routes(app);
  const res = await app.request('/events');
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while (!text.includes('event: host-history')) text += dec.decode((await reader.read()).value);
  assert.equal(dashboard.events.clients(), 1);
  views.state.services[0]!.name = 'renamed';
  views.emit('snapshot');
  while (!text.includes('renamed')) text += dec.decode((await reader.read()).value);
  dashboard.closeAll();
  for (;;) if ((await reader.read()).done) break;
  assert.equal(dashboard.events.clients(), 0);
});

test('a client that stops reading is dropped once its socket buffer passes the bound; the others keep getting updates', async (t) => {
  const { connect } = await import('node:net');
  const { createEventHub } = await import('./events.ts');
  const views = createFakeViews({ services: 1 });
  const hub = createEventHub({ views, clock: systemClock, logger: silentLogger(), maxBufferedBytes: 64 * 1024 });
  const app = new Hono();
  app.get('/events', (c) => hub.handle(c));
  const l = await listen(app, { host: '127.0.0.1', port: 0 });
  t.after(async () => {
    hub.closeAll();
    await l.close(500);
  });
  const port = Number(new URL(l.url).port);
  const stuck = connect(port, '127.0.0.1');
  t.after(() => stuck.destroy());
  stuck.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  stuck.pause(); // never reads
  const live = await openStream(l.url);
  await live.waitFor(/host-history/);
  await waitUntil(() => hub.clients() === 2);

  // ~200 KB per change: the kernel's buffers fill, then Node's, then the stuck client is dropped
  for (let i = 0; i < 200 && hub.clients() === 2; i++) {
    views.state.services[0]!.name = `${i}-${'x'.repeat(200_000)}`;
    views.emit('snapshot');
    await new Promise((r) => setTimeout(r, 5));
  }
  await waitUntil(() => hub.clients() === 1, 10_000);
  views.state.services[0]!.name = 'still-live';
  views.emit('snapshot');
  await live.waitFor(/still-live/);
  live.abort();
});
