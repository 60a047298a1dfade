import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startInProc, TEST_TOKEN } from '../../test/support/sidecar-inproc.ts';

const auth = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };
const future = () => new Date(Date.now() + 3_600_000).toISOString();

function raw(url: string, request: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => s.write(request));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', (e) => (out ? resolve(out) : reject(e))); // a reset after the answer (unread upload) still counts
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
  });
}

test('HTTP surface: 413, 405 with Allow, JSON parser errors, one rule for unknown query parameters, paging', async (t) => {
  const app = await startInProc();
  t.after(() => app.stop());
  const { url } = app;

  // bodies: declared and chunked, both refused with JSON
  const big = 'x'.repeat(200_000);
  assert.match(
    await raw(url, `POST /silences HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n${big}`),
    /^HTTP\/1\.1 413 [^]*\{"error":"request body too large: the limit is 64 KB \(65536 bytes\)"\}/,
  );
  let r: Response;
  const chunk = 'y'.repeat(10_000);
  const chunked = `POST /silences HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${`${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(10)}0\r\n\r\n`;
  assert.match(await raw(url, chunked), /^HTTP\/1\.1 413 [^]*"error":"request body too large/);

  // wrong method on an existing route
  r = await fetch(`${url}/metrics`, { method: 'PUT' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
  assert.match((await r.json() as { error: string }).error, /PUT is not allowed on \/metrics/);
  r = await fetch(`${url}/silences`, { method: 'DELETE' });
  assert.equal(r.status, 405);
  assert.match(r.headers.get('allow') ?? '', /GET.*POST|POST.*GET/);
  assert.equal((await fetch(`${url}/nope`)).status, 404);

  // Node's HTTP parser: malformed request line, oversized headers
  let text = await raw(url, 'GARBAGE\r\n\r\n');
  assert.match(text, /^HTTP\/1\.1 400 /);
  assert.match(text, /content-type: application\/json/i);
  assert.match(text, /\{"error":"malformed HTTP request/);
  text = await raw(url, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
  assert.match(text, /^HTTP\/1\.1 431 /);
  assert.match(text, /\{"error":"request headers too large"\}/);

  // unknown query parameters are ignored everywhere; known ones are checked
  assert.equal((await fetch(`${url}/alerts?foo=1`)).status, 200);
  assert.equal((await fetch(`${url}/metrics/live?foo=1`)).status, 200);
  assert.equal((await fetch(`${url}/silences?foo=1`)).status, 200);
  assert.equal((await fetch(`${url}/alerts?limit=abc`)).status, 400);
  assert.equal((await fetch(`${url}/metrics/live?history=-1`)).status, 400);
  assert.equal((await fetch(`${url}/silences?limit=0`)).status, 400);

  // silences: messages, paging
  r = await fetch(`${url}/silences`, { method: 'POST', headers: auth, body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'A' }], endsAt: '2001-01-01T00:00:00Z', comment: 'x' }) });
  assert.equal(r.status, 400);
  assert.match((await r.json() as { error: string }).error, /endsAt must be in the future/);
  r = await fetch(`${url}/silences`, { method: 'POST', headers: auth, body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'A' }], endsAt: 'soon', comment: 'x' }) });
  const body = (await r.json()) as { details: { field: string; message: string }[] };
  assert.deepEqual(body.details, [{ field: 'endsAt', message: 'must be an ISO 8601 date-time, e.g. 2026-01-01T12:00:00Z' }]);
  for (let i = 0; i < 3; i++) {
    r = await fetch(`${url}/silences`, { method: 'POST', headers: auth, body: JSON.stringify({ matchers: [{ name: 'alertname', value: `A${i}` }], endsAt: future(), comment: 'x' }) });
    assert.equal(r.status, 201);
  }
  const page = (await (await fetch(`${url}/silences?limit=2&offset=1`)).json()) as { silences: unknown[]; total: number; limit: number; offset: number };
  assert.equal(page.total, 3);
  assert.equal(page.silences.length, 2);
  assert.equal(page.limit, 2);
});

test('the JSON endpoint index at / lists every route the sidecar answers', async (t) => {
  const app = await startInProc();
  t.after(() => app.stop());
  const r = await fetch(`${app.url}/`, { headers: { accept: 'application/json' } });
  assert.equal(r.status, 200);
  const { endpoints } = (await r.json()) as { endpoints: string[] };
  for (const path of ['/metrics', '/metrics/live', '/health', '/health/:id', '/ready', '/alerts', '/silences', '/services', '/services/:id', '/heartbeat/:service', '/heartbeats', '/analyze', '/openapi.json', '/docs', '/events'])
    assert.ok(endpoints.includes(path), `${path} missing from ${endpoints.join(' ')}`);
  assert.equal(new Set(endpoints).size, endpoints.length, 'each path once');
});
