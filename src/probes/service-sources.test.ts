import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startProbeTarget, testService, type ProbeTarget } from '../../test/support/probe-target.ts';
import { silentLogger } from '../lib/logger.ts';
import { ServiceSources } from './service-sources.ts';

let target: ProbeTarget;
before(async () => {
  target = await startProbeTarget({ kind: 'json', status: 503 });
});
after(() => target.close());

test('reload: unchanged sources stay, changed ones are replaced with their state kept, removed ones go with their state', async () => {
  const set = new ServiceSources({ now: Date.now, logger: silentLogger(), onResult: () => {} });
  try {
    const a = testService(`${target.origin}/a`, { id: 'a' });
    const b = testService(`${target.origin}/b`, { id: 'b' });
    const off = testService(`${target.origin}/off`, { id: 'off', enabled: false });
    const first = set.apply([a, b, off]);
    assert.deepEqual(first.added.map((s) => s.name), ['service:a', 'service:b']);
    assert.deepEqual(first.removed, []);
    for (const s of first.all) await s.collect(new AbortController().signal);
    assert.equal(set.states.peek('a')?.consecutiveFailures, 1);

    const same = set.apply([a, b]);
    assert.deepEqual([same.added, same.removed], [[], []]);
    assert.equal(same.all[0], first.all[0], 'the same source object');

    const c = testService(`${target.origin}/c`, { id: 'c' });
    const changed = set.apply([{ ...a, timeoutMs: 1000 }, c]);
    assert.deepEqual(changed.added.map((s) => s.name), ['service:a', 'service:c']);
    assert.deepEqual(changed.removed.sort(), ['service:a', 'service:b']);
    assert.equal(changed.added[0]!.schedule.timeoutMs, 2000);
    assert.equal(set.states.peek('a')?.consecutiveFailures, 1, 'a changed service keeps its failure count');
    assert.equal(set.states.has('b'), false, 'a removed service loses its state');
    await changed.added[0]!.collect(new AbortController().signal);
    assert.equal(set.states.peek('a')?.consecutiveFailures, 2);
    assert.deepEqual(set.definitions().map((d) => d.id).sort(), ['a', 'c']);
  } finally {
    set.close();
  }
});

test('disable then enable keeps a service\'s probe state: no second incident or version announcement', async () => {
  const set = new ServiceSources({ now: Date.now, logger: silentLogger(), onResult: () => {} });
  try {
    const a = testService(`${target.origin}/a`, { id: 'a' });
    const first = set.apply([a]);
    await first.all[0]!.collect(new AbortController().signal);
    assert.equal(set.states.peek('a')?.consecutiveFailures, 1);
    const disabled = set.apply([{ ...a, enabled: false }]);
    assert.deepEqual(disabled.removed, ['service:a'], 'a disabled service is no longer probed');
    assert.equal(set.states.peek('a')?.consecutiveFailures, 1, 'its state is kept while it is disabled');
    const enabled = set.apply([a]);
    await enabled.added[0]!.collect(new AbortController().signal);
    assert.equal(set.states.peek('a')?.consecutiveFailures, 2, 'the streak goes on after enable');
    set.apply([]);
    assert.equal(set.states.has('a'), false, 'a service that is gone loses its state');
  } finally {
    set.close();
  }
});
