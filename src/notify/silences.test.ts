import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../lib/clock.ts';
import { openDatabase } from '../store/db.ts';
import { createSilenceService, matcherMatches, silenceInputSchema, SilenceError } from './silences.ts';

const HOUR = 3_600_000;

test('silenceInputSchema: defaults, coercion and the checks the API needs', () => {
  const ok = silenceInputSchema.parse({
    matchers: [{ name: 'alertname', value: 'HighCpu' }],
    endsAt: '2026-01-01T02:00:00Z',
    comment: 'deploy',
  });
  assert.deepEqual(ok.matchers, [{ name: 'alertname', value: 'HighCpu', isRegex: false, isEqual: true }]);
  assert.ok(ok.endsAt instanceof Date);
  assert.equal(ok.startsAt, undefined);

  const bad = (input: unknown) => {
    const r = silenceInputSchema.safeParse(input);
    assert.equal(r.success, false, JSON.stringify(input));
    return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };
  assert.match(bad({ matchers: [], endsAt: '2026-01-02', comment: 'x' }), /matchers/);
  assert.match(bad({ matchers: [{ name: 'a', value: 'b' }], comment: 'x' }), /endsAt/);
  assert.match(bad({ matchers: [{ name: 'a', value: 'b' }], startsAt: '2026-01-02', endsAt: '2026-01-01', comment: 'x' }), /endsAt: endsAt must be after startsAt/);
  assert.match(bad({ matchers: [{ name: 'a', value: '(', isRegex: true }], endsAt: '2026-01-02', comment: 'x' }), /invalid regular expression/);
  assert.match(bad({ matchers: [{ name: 'a', value: '.*', isRegex: true }], endsAt: '2026-01-02', comment: 'x' }), /must not match the empty string/);
  assert.match(bad({ matchers: [{ name: 'a', value: 'b' }], endsAt: '2026-01-02', comment: '' }), /comment/);
  assert.match(bad({ matchers: [{ name: 'a', value: 'b' }], endsAt: 'soon', comment: 'x' }), /endsAt/);
});

test('matchers follow Alertmanager semantics: anchored regex, negation, missing label is empty', () => {
  assert.equal(matcherMatches({ value: 'web', isRegex: true }, 'web-1'), false, 'regex is anchored');
  assert.equal(matcherMatches({ value: 'web.*', isRegex: true }, 'web-1'), true);
  assert.equal(matcherMatches({ value: 'web-1', isEqual: false }, 'web-2'), true);
  assert.equal(matcherMatches({ value: 'db|cache', isRegex: true, isEqual: false }, 'db'), false);
  assert.equal(matcherMatches({ value: '' }, ''), true);
});

test('a silence mutes matching alerts only within [startsAt, endsAt); expire ends it now', () => {
  const clock = new ManualClock();
  const svc = createSilenceService({ db: openDatabase(':memory:'), clock });
  const t0 = clock.now();
  const s = svc.create(
    silenceInputSchema.parse({
      matchers: [{ name: 'alertname', value: 'HighCpu' }, { name: 'instance', value: 'web-.*', isRegex: true }],
      startsAt: new Date(t0 + HOUR).toISOString(),
      endsAt: new Date(t0 + 3 * HOUR).toISOString(),
      createdBy: 'ops',
      comment: 'maintenance',
    }),
  );
  const web = { alertname: 'HighCpu', instance: 'web-1' };
  assert.equal(s.status, 'pending');
  assert.equal(svc.mutedBy(web), undefined, 'not before startsAt');
  clock.advance(HOUR);
  assert.equal(svc.mutedBy(web)?.id, s.id, 'at startsAt');
  assert.equal(svc.mutedBy({ alertname: 'HighCpu', instance: 'db-1' }), undefined, 'all matchers must match');
  assert.equal(svc.mutedBy({ alertname: 'DiskFull', instance: 'web-1' }), undefined);
  assert.equal(svc.get(s.id)?.status, 'active');
  const expired = svc.expire(s.id);
  assert.equal(expired.status, 'expired');
  assert.equal(expired.endsAt, clock.now());
  assert.equal(svc.mutedBy(web), undefined);
  assert.throws(() => svc.expire('nope'), (e: unknown) => e instanceof SilenceError && e.code === 'not_found');
  assert.throws(
    () => svc.create(silenceInputSchema.parse({ matchers: [{ name: 'a', value: 'b' }], endsAt: new Date(t0).toISOString(), comment: 'past' })),
    (e: unknown) => e instanceof SilenceError && e.code === 'invalid',
  );
  assert.equal(svc.list().length, 1);
});

test('maintenance windows from config mute like silences and are read-only', () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const svc = createSilenceService({
    db: openDatabase(':memory:'),
    clock,
    maintenance: [
      { comment: 'db upgrade', matchers: [{ name: 'service', value: 'db', isRegex: false, isEqual: true }], starts_at: new Date(t0 + 1000), ends_at: new Date(t0 + 2000) },
    ],
  });
  const labels = { alertname: 'ProbeDown', service: 'db' };
  assert.equal(svc.mutedBy(labels), undefined);
  clock.advance(1000);
  const m = svc.mutedBy(labels);
  assert.equal(m?.source, 'config');
  assert.equal(m?.comment, 'db upgrade');
  assert.throws(() => svc.expire(m!.id), (e: unknown) => e instanceof SilenceError && e.code === 'read_only');
  assert.deepEqual(svc.list().map((s) => [s.source, s.status]), [['config', 'active']]);
  clock.advance(1000);
  assert.equal(svc.mutedBy(labels), undefined, 'ends_at is exclusive');
  svc.setMaintenance([]);
  assert.equal(svc.list().length, 0);
});

test('a silence regex that would backtrack forever is matched in linear time; sizes are capped', () => {
  const input = silenceInputSchema.parse({ matchers: [{ name: 'alertname', value: '(.*.*)*!', isRegex: true }], endsAt: '2030-01-01T00:00:00Z', comment: 'x' });
  assert.equal(matcherMatches(input.matchers[0]!, 'a'.repeat(40)), false);
  const bad = (input: unknown) => silenceInputSchema.safeParse(input).success;
  assert.equal(bad({ matchers: [{ name: 'a', value: 'x'.repeat(5000) }], endsAt: '2030-01-01', comment: 'x' }), false);
  assert.equal(bad({ matchers: Array.from({ length: 40 }, (_, i) => ({ name: `l${i}`, value: 'v' })), endsAt: '2030-01-01', comment: 'x' }), false);
  assert.equal(bad({ matchers: [{ name: 'a', value: '(?=x)', isRegex: true }], endsAt: '2030-01-01', comment: 'x' }), false);
});

test('the number of active or pending silences is bounded; expiring one makes room', () => {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const svc = createSilenceService({ db: openDatabase(':memory:'), clock });
  const input = (i: number) => silenceInputSchema.parse({ matchers: [{ name: 'alertname', value: `A${i}` }], endsAt: '2026-01-02T00:00:00Z', comment: 'x' });
  let last = '';
  for (let i = 0; i < 1000; i++) last = svc.create(input(i)).id;
  assert.throws(() => svc.create(input(1000)), (e: unknown) => e instanceof SilenceError && e.code === 'limit' && /1000/.test(e.message));
  svc.expire(last);
  assert.ok(svc.create(input(1001)).id);
  assert.equal(svc.page(10, 0).items.length, 10);
  assert.equal(svc.page(10, 0).total, 1001);
});
