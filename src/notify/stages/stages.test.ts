import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertEvent } from '../types.ts';
import { route } from './route.ts';
import { silenceStage } from './silence.ts';
import { dedupDecide } from './dedup.ts';
import { repeatDecide, type ActiveAlertLike } from './repeat.ts';
import { groupByChannel } from './group.ts';

const ev = (kind: AlertEvent['kind'], fp: string, alert = 'A'): AlertEvent => ({
  kind, alert, fingerprint: fp, severity: 'warning', labels: { alertname: alert, fp }, annotations: {}, value: 1, threshold: 0, startsAt: 10, summary: '',
});

test('route fans out to each distinct channel, in event order', async () => {
  const r = route([ev('firing', 'x'), ev('firing', 'y', 'B')], (e) => (e.alert === 'A' ? ['s', 'e', 's'] : ['e']));
  assert.deepEqual(r.map((i) => `${i.channel}:${i.event.fingerprint}`), ['s:x', 'e:x', 'e:y']);
});

test('silence stage splits muted events and asks once per fingerprint', async () => {
  let asked = 0;
  const { kept, silenced } = silenceStage(route([ev('firing', 'x'), ev('firing', 'y')], () => ['s', 'e']), (l) => {
    asked++;
    return l.fp === 'x' ? 'sil-1' : undefined;
  });
  assert.equal(asked, 2);
  assert.deepEqual(kept.map((i) => `${i.channel}:${i.event.fingerprint}`), ['s:y', 'e:y']);
  assert.deepEqual(silenced.map((i) => i.silence), ['sil-1', 'sil-1']);
});

test('dedup decisions', async () => {
  const item = (k: AlertEvent['kind']) => ({ channel: 's', event: ev(k, 'x') });
  assert.deepEqual([dedupDecide(item('firing'), undefined, true).send, dedupDecide(item('firing'), { firingSent: true }, true).reason], [true, 'already-firing']);
  assert.equal(dedupDecide(item('resolved'), { firingSent: false }, true).reason, 'resolved-not-notified');
  assert.equal(dedupDecide(item('resolved'), { firingSent: true }, false).reason, 'send-resolved-off');
  assert.equal(dedupDecide(item('resolved'), { firingSent: true }, true).send, true);
});

test('repeat decisions', async () => {
  const a: ActiveAlertLike = { fingerprint: 'x', alert: 'A', labels: { fp: 'x' }, severity: 'critical', state: 'firing', value: 5, annotations: { summary: 'now 5' }, firingSince: 7 };
  assert.equal(repeatDecide({ ...a, state: 'pending' }, undefined, 100, 1000).send, false);
  const unsent = repeatDecide(a, undefined, 100, 1000);
  assert.ok(unsent.send && unsent.reason === 'unsent' && unsent.event.startsAt === 7 && unsent.event.summary === 'now 5' && unsent.event.severity === 'critical');
  assert.equal(repeatDecide(a, { firingSent: true, notifiedAt: 950, queued: false }, 100, 1000).send, false);
  const rem = repeatDecide(a, { firingSent: true, notifiedAt: 900, queued: false, event: ev('firing', 'x') }, 100, 1000);
  assert.ok(rem.send && rem.reason === 'reminder' && rem.event.value === 5 && rem.event.threshold === 0);
  assert.equal(repeatDecide(a, { firingSent: true, notifiedAt: 0, queued: true }, 100, 1000).send, false, 'still queued');
  assert.equal(repeatDecide(a, { firingSent: true, notifiedAt: 0, queued: false }, 0, 1000).send, false, 'interval 0 never repeats');
});

test('group: one list per channel, no duplicate fingerprint+kind', async () => {
  const g = await groupByChannel([
    { channel: 's', event: ev('firing', 'x') },
    { channel: 'e', event: ev('firing', 'x') },
    { channel: 's', event: ev('firing', 'y') },
    { channel: 's', event: ev('firing', 'x') },
  ]);
  assert.deepEqual([...g].map(([c, es]) => [c, es.map((e) => e.fingerprint)]), [['s', ['x', 'y']], ['e', ['x']]]);
});
