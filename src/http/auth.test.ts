import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import bcrypt from 'bcryptjs';
import { Hono } from 'hono';
import { ManualClock } from '../lib/clock.ts';
import { createBasicAuth } from './auth.ts';
import { bcryptCost, createPasswordVerifier, dummyHash } from './password-verifier.ts';
import { listen } from './server.ts';

const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

async function withApp(users: Record<string, string>, clock: ManualClock, fn: (url: string, runs: () => number) => Promise<void>) {
  const verifier = createPasswordVerifier();
  const auth = createBasicAuth(users, { clock, verifier, maxFailures: 3, failureWindowMs: 60_000 });
  const app = new Hono();
  app.use('*', auth.guard);
  app.get('/metrics', (c) => c.text('ok'));
  const srv = await listen(app, { host: '127.0.0.1', port: 0 });
  try {
    await fn(srv.url, () => verifier.runs);
  } finally {
    await srv.close(0);
    await auth.close();
  }
}

test('bcrypt runs off the serving thread: the event loop keeps turning during a cost-12 comparison', async () => {
  const verifier = createPasswordVerifier();
  try {
    const hash = bcrypt.hashSync('right', 4).replace(/^\$2b\$04\$/, '$2b$12$'); // a cost-12 hash (no password matches)
    const pending = verifier.compare('wrong', hash);
    let turns = 0;
    let settled = false;
    void pending.then(() => (settled = true));
    while (!settled) {
      await turn();
      turns += 1;
    }
    // on this thread a cost-12 bcrypt would allow a handful of turns at most (bcryptjs async yields every ~100 ms)
    assert.ok(turns > 50, `only ${turns} event-loop turns during the comparison`);
    assert.equal(await pending, 'mismatch');
  } finally {
    await verifier.close();
  }
});

test('failed logins: cached, limited per client address (429 with Retry-After), successes cached', async () => {
  const clock = new ManualClock(0);
  const users = { prom: bcrypt.hashSync('secret', 4) };
  await withApp(users, clock, async (url, runs) => {
    const get = (h: Record<string, string>) => fetch(`${url}/metrics`, { headers: h });
    assert.equal((await get(basic('prom', 'secret'))).status, 200);
    assert.equal((await get(basic('prom', 'secret'))).status, 200);
    assert.equal(runs(), 1, 'a verified pair is not verified again');

    let r = await get(basic('prom', 'bad'));
    assert.equal(r.status, 401);
    assert.equal((await r.json() as { error: string }).error.includes('basic auth'), true);
    assert.equal((await get(basic('prom', 'bad'))).status, 401);
    assert.equal(runs(), 2, 'a recently failed pair is answered from the cache');
    assert.equal((await get(basic('nobody', 'x'))).status, 401);
    r = await get(basic('prom', 'other'));
    assert.equal(r.status, 429, 'over the per-address limit');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal(runs(), 3, 'a limited attempt runs no bcrypt');
    assert.equal((await get(basic('prom', 'secret'))).status, 200, 'a cached good login still passes');
    clock.advance(61_000);
    assert.equal((await get(basic('prom', 'other'))).status, 401, 'the window passed');
  });
});

test('unknown names are compared against a dummy hash of the highest configured cost', () => {
  assert.equal(bcryptCost('$2y$12$abcdefghijklmnopqrstuu'), 12);
  assert.equal(bcryptCost(dummyHash(12)), 12);
  assert.equal(bcryptCost(dummyHash(8)), 8);
  assert.equal(bcrypt.compareSync('anything', dummyHash(4)), false);
});

test('an unknown user costs the same bcrypt run as the slowest configured user', async () => {
  const seen: string[] = [];
  const verifier = { runs: 0, compare: async (_p: string, h: string) => (seen.push(h), 'mismatch' as const), close: async () => {} };
  const users = { fast: '$2y$04$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', slow: '$2y$12$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy' };
  const app = new Hono();
  app.use('*', createBasicAuth(users, { verifier }).guard);
  app.get('/', (c) => c.text('ok'));
  assert.equal((await app.request('/', { headers: basic('ghost', 'x') })).status, 401);
  assert.equal(bcryptCost(seen[0]!), 12);
});
