import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from './db.ts';
import { createOutboxRepo } from './outbox-repo.ts';
import { createAlertStateRepo } from './alert-state-repo.ts';
import { createHistoryRepo } from './history-repo.ts';
import { createSilenceRepo } from './silence-repo.ts';
import { createNotificationRepo } from './notification-repo.ts';
import type { AlertEvent } from '../notify/types.ts';

const ev = (kind: AlertEvent['kind'], fp = 'fp1', extra: Partial<AlertEvent> = {}): AlertEvent => ({
  kind,
  alert: 'HighCpu',
  fingerprint: fp,
  severity: 'critical',
  labels: { alertname: 'HighCpu', instance: 'a' },
  annotations: { summary: 'cpu high' },
  value: 0.95,
  threshold: 0.9,
  startsAt: 1000,
  summary: 'cpu high',
  ...extra,
});

test('outbox: insert, head in id order per channel, attempts, defer, deliver, fail, prune', () => {
  const db = openDatabase(':memory:');
  const o = createOutboxRepo(db);
  const a = o.insert('slack', [ev('firing')], 100);
  const b = o.insert('slack', [ev('resolved')], 200);
  const c = o.insert('email', [ev('firing')], 150);
  assert.equal(o.countPending(), 3);
  assert.deepEqual(o.pendingChannels(), ['email', 'slack']);
  assert.equal(o.headPending('slack')?.id, a);
  assert.deepEqual(o.headPending('slack')?.events, [ev('firing')]);
  o.setAttempts(a, 2, 'boom');
  o.defer(a, 5000, 'still boom');
  const row = o.get(a)!;
  assert.equal(row.attempts, 2);
  assert.equal(row.nextAttemptAt, 5000);
  assert.equal(row.lastError, 'still boom');
  o.markDelivered(a, 6000);
  assert.equal(o.get(a)?.status, 'delivered');
  assert.equal(o.get(a)?.deliveredAt, 6000);
  assert.equal(o.headPending('slack')?.id, b);
  o.markFailed(b, 'bad token');
  o.markDelivered(b, 7000); // a failed row is not turned into delivered
  assert.equal(o.get(b)?.status, 'failed');
  assert.equal(o.countPending(), 1);
  assert.equal(o.headPending('slack'), undefined);
  assert.equal(o.prune(10_000), 2);
  assert.equal(o.get(c)?.status, 'pending', 'pending rows are never pruned');
});

test('alert state: save, get, loadAll, delete, replaceAll', () => {
  const db = openDatabase(':memory:');
  const r = createAlertStateRepo<{ state: string; value: number }>(db);
  r.save('b', { state: 'pending', value: 1 }, 10);
  r.save('a', { state: 'firing', value: 2 }, 11);
  r.save('a', { state: 'firing', value: 3 }, 12);
  assert.deepEqual(r.get('a'), { state: 'firing', value: 3 });
  assert.deepEqual(r.loadAll().map((x) => [x.fingerprint, x.updatedAt]), [['a', 12], ['b', 10]]);
  r.delete('b');
  assert.equal(r.get('b'), undefined);
  r.replaceAll([['z', { state: 'pending', value: 9 }]], 20);
  assert.deepEqual(r.loadAll().map((x) => x.fingerprint), ['z']);
});

test('history: an episode opens on firing, closes on resolved, pages newest first', () => {
  const db = openDatabase(':memory:');
  const h = createHistoryRepo(db);
  h.record(ev('firing', 'fp1', { startsAt: 1000 }), 1000);
  h.record(ev('firing', 'fp1', { startsAt: 1000, value: 0.97 }), 1100); // same episode, not a new row
  h.record(ev('firing', 'fp2', { startsAt: 2000, value: Number.NaN }), 2000);
  h.record(ev('resolved', 'fp1', { startsAt: 1000, endsAt: 3000, value: 0.5 }), 3000);
  h.record(ev('firing', 'fp1', { startsAt: 4000 }), 4000);
  const page = h.page(2, 0);
  assert.equal(page.total, 3);
  assert.deepEqual(page.items.map((i) => [i.fingerprint, i.state, i.startsAt]), [['fp1', 'firing', 4000], ['fp2', 'firing', 2000]]);
  assert.equal(page.items[1]?.value, null);
  const rest = h.page(2, 2);
  assert.deepEqual(rest.items.map((i) => [i.fingerprint, i.state, i.endsAt, i.value]), [['fp1', 'resolved', 3000, 0.5]]);
  assert.deepEqual(rest.items[0]?.labels, { alertname: 'HighCpu', instance: 'a' });
});

test('silences: insert, list, notEnded, expire sets endsAt to now once', () => {
  const db = openDatabase(':memory:');
  const s = createSilenceRepo(db);
  const m = [{ name: 'alertname', value: 'HighCpu', isRegex: false, isEqual: true }];
  s.insert({ id: 'one', matchers: m, startsAt: 0, endsAt: 1000, createdBy: 'me', comment: 'c', createdAt: 0, updatedAt: 0 });
  s.insert({ id: 'two', matchers: m, startsAt: 500, endsAt: 5000, createdBy: '', comment: 'd', createdAt: 10, updatedAt: 10 });
  assert.deepEqual(s.list().map((x) => x.id), ['two', 'one']);
  assert.deepEqual(s.notEnded(2000).map((x) => x.id), ['two']);
  assert.deepEqual(s.get('one')?.matchers, m);
  assert.equal(s.expire('two', 3000), true);
  assert.equal(s.get('two')?.endsAt, 3000);
  assert.equal(s.expire('two', 3500), false);
  assert.equal(s.prune(4000), 2);
});

test('notification records join the outbox row for status, attempts and error', () => {
  const db = openDatabase(':memory:');
  const o = createOutboxRepo(db);
  const n = createNotificationRepo(db);
  const id = o.insert('slack', [ev('firing')], 100);
  n.upsert({ fingerprint: 'fp1', channel: 'slack', alert: 'HighCpu', kind: 'firing', firingSent: true, silenced: false, outboxId: id, notifiedAt: 100, event: ev('firing') }, 100);
  n.upsert({ fingerprint: 'fp1', channel: 'email', alert: 'HighCpu', kind: 'firing', firingSent: false, silenced: true, outboxId: null, notifiedAt: null, event: ev('firing') }, 100);
  o.setAttempts(id, 3, 'HTTP 503');
  assert.deepEqual(n.records('fp1'), [
    { channel: 'email', kind: 'firing', status: 'silenced', attempts: 0, lastError: null, notifiedAt: null, deliveredAt: null, outboxId: null },
    { channel: 'slack', kind: 'firing', status: 'pending', attempts: 3, lastError: 'HTTP 503', notifiedAt: 100, deliveredAt: null, outboxId: id },
  ]);
  o.markDelivered(id, 900);
  assert.equal(n.records('fp1')[1]?.status, 'delivered');
  assert.equal(n.records('fp1')[1]?.deliveredAt, 900);
  assert.equal(n.get('fp1', 'slack')?.firingSent, true);
  assert.equal(n.get('fp1', 'nope'), undefined);
});
