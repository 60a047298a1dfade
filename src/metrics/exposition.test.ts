import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gauge, Registry, type RegistryContentType } from 'prom-client';
import { acceptsGzip, ExpositionCache, wantsOpenMetrics } from './exposition.ts';

test('a failed render does not freeze the cache: the next refresh renders again', async () => {
  const reg = new Registry<RegistryContentType>();
  let fail = false;
  const g = new Gauge({ name: 'x_value', help: 'x', registers: [reg], collect() { if (fail) throw new Error('boom'); } });
  g.set(1);
  const cache = new ExpositionCache(reg);
  await cache.refresh();
  fail = true;
  await assert.rejects(cache.refresh(), /boom/);
  fail = false;
  g.set(2);
  await cache.refresh();
  assert.match(cache.get(undefined)!.body.toString(), /^x_value 2$/m);
});

test('negotiation: OpenMetrics only when preferred; gzip unless q=0', () => {
  assert.equal(wantsOpenMetrics(undefined), false);
  assert.equal(wantsOpenMetrics('text/plain'), false);
  assert.equal(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'), true);
  assert.equal(wantsOpenMetrics('application/openmetrics-text;q=0.2,text/plain;q=0.9'), false);
  assert.equal(acceptsGzip('gzip, deflate'), true);
  assert.equal(acceptsGzip('gzip;q=0'), false);
  assert.equal(acceptsGzip('identity'), false);
});

test('at most one render per sample and format; nothing renders until someone asks', async () => {
  const reg = new Registry<RegistryContentType>();
  let collects = 0;
  new Gauge({ name: 'y_value', help: 'y', registers: [reg], collect() { collects++; this.set(collects); } });
  const cache = new ExpositionCache(reg);
  cache.invalidate();
  cache.invalidate();
  assert.equal(collects, 0, 'a new sample alone renders nothing');
  const [a, b] = await Promise.all([cache.current('text/plain'), cache.current(undefined)]);
  assert.equal(a, b, 'concurrent scrapes share one render');
  assert.equal(collects, 1);
  await cache.current('application/openmetrics-text');
  assert.equal(collects, 2, 'OpenMetrics renders separately, once');
  await cache.current(undefined);
  await cache.current('application/openmetrics-text');
  assert.equal(collects, 2, 'served from cache until the next sample');
  cache.invalidate();
  const next = await cache.current(undefined);
  assert.equal(collects, 3);
  assert.match(next.body.toString(), /^y_value 3$/m);
});

test('while a render is under way, other scrapes get the previous bytes; the scrape that started it gets the new ones', async () => {
  const reg = new Registry<RegistryContentType>();
  const g = new Gauge({ name: 'v_value', help: 'v', registers: [reg] });
  g.set(1);
  const cache = new ExpositionCache(reg);
  await cache.current(undefined);
  g.set(2);
  cache.invalidate();
  const starter = cache.current(undefined);
  const meanwhile = await cache.current(undefined);
  assert.match(meanwhile.body.toString(), /^v_value 1$/m, 'served at once from the previous sample');
  assert.match((await starter).body.toString(), /^v_value 2$/m, 'the scrape that triggered the render waited for it');
  assert.match((await cache.current(undefined)).body.toString(), /^v_value 2$/m);
});

test('peek: the bytes a scrape can take without rendering, synchronously; none when a render is needed', async () => {
  const reg = new Registry<RegistryContentType>();
  const g = new Gauge({ name: 'y_value', help: 'y', registers: [reg] });
  g.set(1);
  const cache = new ExpositionCache(reg);
  assert.equal(cache.peek(undefined), undefined, 'nothing rendered yet');
  const first = await cache.current(undefined);
  assert.equal(cache.peek(undefined), first, 'the current sample');
  assert.equal(cache.peek('application/openmetrics-text'), undefined, 'the other format is not rendered');
  assert.equal(first.gzippedNow(), undefined, 'no gzip until asked');
  const gz = await first.gzipped();
  assert.equal(first.gzippedNow(), gz);
  g.set(2);
  cache.invalidate();
  assert.equal(cache.peek(undefined), undefined, 'a new sample needs a render');
  const rendering = cache.current(undefined);
  assert.equal(cache.peek(undefined), first, 'while it renders, the previous bytes');
  const second = await rendering;
  assert.match(second.body.toString(), /^y_value 2$/m);
  assert.equal(cache.peek(undefined), second);
});
