import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleSchema } from './rule-schema.ts';
import { ManualClock } from '../lib/clock.ts';
import type { Reading } from '../snapshot/snapshot.ts';
import { RuleEngine } from './engine.ts';
import { alertFingerprint } from './fingerprint.ts';

const rule = (r: Record<string, unknown>) => ruleSchema.parse(r);
const cpu = (value: number, labels: Record<string, string> = { instance: 'a' }): Reading => ({ metric: 'host_cpu_usage_ratio', labels, value });
const kinds = (events: { kind: string }[]) => events.map((e) => e.kind);

const cpuRule = (extra: Record<string, unknown> = {}) =>
  rule({ alert: 'HighCpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: 0.9, severity: 'critical', ...extra });

test('for: pending until the duration has elapsed, then one firing event, then resolved', async () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const engine = new RuleEngine({ rules: [cpuRule({ for: '2m', summary: 'CPU {{ value | percent }} on {{ labels.instance }}' })], clock });
  assert.deepEqual(await engine.evaluate([cpu(0.95)]), []);
  assert.equal(engine.active()[0]?.state, 'pending');
  assert.equal(engine.active()[0]?.activeSince, t0);
  clock.advance(60_000);
  assert.deepEqual(await engine.evaluate([cpu(0.96)]), []);
  clock.advance(60_000);
  const fired = await engine.evaluate([cpu(0.97)]);
  assert.equal(fired.length, 1);
  const ev = fired[0]!;
  assert.equal(ev.kind, 'firing');
  assert.equal(ev.alert, 'HighCpu');
  assert.equal(ev.severity, 'critical');
  assert.deepEqual(ev.labels, { instance: 'a', alertname: 'HighCpu', severity: 'critical' });
  assert.equal(ev.fingerprint, alertFingerprint('HighCpu', ev.labels));
  assert.equal(ev.value, 0.97);
  assert.equal(ev.threshold, 0.9);
  assert.equal(ev.startsAt, t0 + 120_000);
  assert.equal(ev.summary, 'CPU 97% on a');
  assert.deepEqual(ev.annotations, { summary: 'CPU 97% on a' });
  assert.equal(engine.firing().length, 1);
  assert.equal(engine.firing()[0]?.firingSince, t0 + 120_000);
  clock.advance(60_000);
  assert.deepEqual(await engine.evaluate([cpu(0.99)]), [], 'no repeat while firing');
  clock.advance(60_000);
  const resolved = await engine.evaluate([cpu(0.5)]);
  assert.deepEqual(kinds(resolved), ['resolved']);
  assert.equal(resolved[0]!.endsAt, clock.now());
  assert.equal(resolved[0]!.startsAt, t0 + 120_000);
  assert.equal(resolved[0]!.value, 0.5);
  assert.equal(resolved[0]!.summary, 'CPU 99% on a', 'the resolved notice keeps the summary of the last evaluation that held, not "CPU 50%"');
  assert.deepEqual(resolved[0]!.annotations, { summary: 'CPU 99% on a' });
  assert.deepEqual(engine.active(), []);
});

test('a pending alert whose condition goes false returns to inactive without events', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule({ for: '2m' })], clock });
  await engine.evaluate([cpu(0.95)]);
  clock.advance(60_000);
  assert.deepEqual(await engine.evaluate([cpu(0.5)]), []);
  assert.deepEqual(engine.active(), []);
  clock.advance(60_000);
  await engine.evaluate([cpu(0.95)]);
  clock.advance(60_000);
  assert.deepEqual(await engine.evaluate([cpu(0.95)]), [], 'the for timer restarted');
  clock.advance(60_000);
  assert.deepEqual(kinds(await engine.evaluate([cpu(0.95)])), ['firing']);
});

test('for 0 fires at the first evaluation; default summary', async () => {
  const engine = new RuleEngine({ rules: [cpuRule()], clock: new ManualClock() });
  const [ev] = await engine.evaluate([cpu(0.95, { cpu: '0' })]);
  assert.equal(ev?.kind, 'firing');
  assert.equal(ev?.summary, 'HighCpu: host_cpu_usage_ratio{cpu="0"} is 95% (> 90%)');
});

test('clear: hysteresis keeps firing between clear and threshold, resolves only past clear', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule({ clear: 0.8 })], clock });
  const step = async (v: number) => {
    clock.advance(60_000);
    return kinds(await engine.evaluate([cpu(v)]));
  };
  assert.deepEqual(await step(0.85), [], 'between clear and threshold while inactive: nothing');
  assert.deepEqual(await step(0.95), ['firing']);
  assert.deepEqual(await step(0.85), [], 'still firing');
  assert.deepEqual(await step(0.81), []);
  assert.equal(engine.firing().length, 1);
  assert.deepEqual(await step(0.8), ['resolved'], 'NOT (0.8 > 0.8) resolves');
  assert.deepEqual(await step(0.85), [], 'needs the threshold again');
});

test('clear with a "<" rule', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [rule({ alert: 'LowMem', metric: 'host_memory_available_bytes', op: '<', threshold: 100, clear: 200 })], clock });
  const step = async (value: number) => kinds(await engine.evaluate([{ metric: 'host_memory_available_bytes', labels: {}, value }]));
  assert.deepEqual(await step(50), ['firing']);
  assert.deepEqual(await step(150), []);
  assert.deepEqual(await step(199), []);
  assert.deepEqual(await step(200), ['resolved']);
});

test('flapping every evaluation around the threshold with clear set: one firing, at most one resolution', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule({ clear: 0.8 })], clock });
  const all: string[] = [];
  for (let i = 0; i < 100; i++) {
    clock.advance(5_000);
    all.push(...kinds(await engine.evaluate([cpu(i % 2 === 0 ? 0.91 : 0.89)])));
  }
  assert.deepEqual(all, ['firing']);
  clock.advance(5_000);
  all.push(...kinds(await engine.evaluate([cpu(0.5)])));
  assert.deepEqual(all, ['firing', 'resolved']);
});

test('flapping without clear but with keep_firing_for: one firing', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule({ keep_firing_for: '1m' })], clock });
  const all: string[] = [];
  for (let i = 0; i < 50; i++) {
    clock.advance(5_000);
    all.push(...kinds(await engine.evaluate([cpu(i % 2 === 0 ? 0.91 : 0.89)])));
  }
  assert.deepEqual(all, ['firing']);
});

test('keep_firing_for: firing continues until the condition has been false for the duration', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule({ keep_firing_for: '2m' })], clock });
  assert.deepEqual(kinds(await engine.evaluate([cpu(0.95)])), ['firing']);
  clock.advance(60_000);
  assert.deepEqual(await engine.evaluate([cpu(0.5)]), []);
  assert.equal(engine.firing()[0]?.keepFiringSince, clock.now());
  clock.advance(60_000);
  assert.deepEqual(await engine.evaluate([cpu(0.95)]), [], 'holds again: countdown reset');
  assert.equal(engine.firing()[0]?.keepFiringSince, undefined);
  clock.advance(60_000);
  assert.deepEqual(await engine.evaluate([cpu(0.5)]), []);
  assert.equal(engine.firing()[0]?.value, 0.95, 'kept firing: value frozen at the last holding evaluation');
  clock.advance(60_000);
  assert.deepEqual(await engine.evaluate([]), [], 'absent counts as not holding; 1m < 2m');
  clock.advance(60_000);
  const res = await engine.evaluate([]);
  assert.deepEqual(kinds(res), ['resolved']);
  assert.equal(res[0]!.value, 0.95, 'series gone: the value of the last evaluation that held');
});

test('one alert per label set; only matching series', async () => {
  const clock = new ManualClock();
  const disk = rule({
    alert: 'DiskFull', metric: 'host_filesystem_used_ratio', match: { mountpoint: '=~/|/data', fstype: '!=tmpfs' },
    op: '>', threshold: 0.85, labels: { team: 'ops' },
  });
  const engine = new RuleEngine({ rules: [disk], clock });
  const fs = (mountpoint: string, fstype: string, value: number): Reading => ({ metric: 'host_filesystem_used_ratio', labels: { mountpoint, fstype }, value });
  const events = await engine.evaluate([fs('/', 'ext4', 0.9), fs('/data', 'xfs', 0.95), fs('/boot', 'ext4', 0.99), fs('/', 'tmpfs', 0.99), fs('/data', 'ext4', 0.1), cpu(1)]);
  assert.deepEqual(events.map((e) => e.labels.mountpoint + ':' + e.labels.fstype), ['/:ext4', '/data:xfs']);
  assert.deepEqual(events[0]!.labels, { mountpoint: '/', fstype: 'ext4', team: 'ops', alertname: 'DiskFull', severity: 'warning' });
  assert.notEqual(events[0]!.fingerprint, events[1]!.fingerprint);
  clock.advance(60_000);
  const next = await engine.evaluate([fs('/', 'ext4', 0.5), fs('/data', 'xfs', 0.95)]);
  assert.deepEqual(next.map((e) => `${e.kind} ${e.labels.mountpoint}`), ['resolved /']);
  assert.deepEqual(engine.firing().map((a) => a.labels.mountpoint), ['/data']);
});

test('a disappearing series resolves at the next evaluation (keep_firing_for 0); a pending one vanishes silently', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule(), rule({ alert: 'SlowCpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: 0.9, for: '5m' })], clock });
  assert.deepEqual(kinds(await engine.evaluate([cpu(0.95)])), ['firing']);
  assert.equal(engine.active().length, 2);
  clock.advance(5_000);
  const ev = await engine.evaluate([]);
  assert.deepEqual(ev.map((e) => `${e.kind} ${e.alert}`), ['resolved HighCpu']);
  assert.equal(ev[0]!.endsAt, clock.now());
  assert.deepEqual(engine.active(), []);
});

test('active() exposes state, channels and annotations re-rendered with the latest value', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule({ summary: 'at {{ value }}', description: '{{ alert }} > {{ threshold | percent }}', channels: ['pager'] })], clock });
  await engine.evaluate([cpu(0.95)]);
  clock.advance(1000);
  await engine.evaluate([cpu(0.97)]);
  const [a] = engine.active();
  assert.equal(a?.state, 'firing');
  assert.deepEqual(a?.channels, ['pager']);
  assert.deepEqual(a?.annotations, { summary: 'at 0.97', description: 'HighCpu > 90%' });
  assert.equal(a?.value, 0.97);
});

test('replaceRules: unchanged rules keep state, text-only edits keep state, changed/removed rules resolve', async () => {
  const clock = new ManualClock();
  const mem = rule({ alert: 'HighMem', metric: 'host_memory_used_ratio', op: '>', threshold: 0.9 });
  const load = rule({ alert: 'HighLoad', metric: 'host_load1', op: '>', threshold: 4 });
  const engine = new RuleEngine({ rules: [cpuRule(), mem, load], clock });
  const readings: Reading[] = [cpu(0.95), { metric: 'host_memory_used_ratio', labels: {}, value: 0.95 }, { metric: 'host_load1', labels: {}, value: 9 }];
  assert.equal((await engine.evaluate(readings)).length, 3);
  // same definitions re-parsed (new objects), a summary edit, a threshold change, a removal, an addition
  const events = engine.replaceRules([
    cpuRule({ summary: 'edited {{ value }}' }),
    rule({ alert: 'HighMem', metric: 'host_memory_used_ratio', op: '>', threshold: 0.8 }),
    rule({ alert: 'Swap', metric: 'host_swap_used_bytes', op: '>', threshold: 0 }),
  ]);
  assert.deepEqual(events.map((e) => `${e.kind} ${e.alert}`).sort(), ['resolved HighLoad', 'resolved HighMem']);
  assert.ok(events.every((e) => e.endsAt === clock.now()));
  assert.deepEqual(engine.active().map((a) => a.alert), ['HighCpu']);
  assert.equal(engine.active()[0]?.summary, 'edited 0.95', 're-rendered with the new text');
  clock.advance(5000);
  const after = await engine.evaluate(readings);
  assert.deepEqual(after.map((e) => `${e.kind} ${e.alert}`), ['firing HighMem'], 'no re-fire for the kept HighCpu');
});

test('replaceRules with identical rules keeps pending timers; invalid rules throw and change nothing', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule({ for: '1m' })], clock });
  await engine.evaluate([cpu(0.95)]);
  assert.deepEqual(engine.replaceRules([cpuRule({ for: 60 })]), [], '60 seconds equals 1m');
  // the schema rejects a bad regex; the engine still refuses one handed to it directly
  assert.throws(() => cpuRule({ match: { instance: '=~(' } }), /invalid regular expression/);
  assert.throws(() => engine.replaceRules([{ ...cpuRule(), match: { instance: '=~(' } }]), /invalid match/);
  assert.throws(() => engine.replaceRules([cpuRule(), cpuRule()]), /duplicate/);
  clock.advance(60_000);
  assert.deepEqual(kinds(await engine.evaluate([cpu(0.95)])), ['firing']);
});

test('exportState/restore: no re-fire for an alert still holding; one that stopped holding resolves', async () => {
  const clock = new ManualClock();
  const rules = [cpuRule({ clear: 0.8 }), rule({ alert: 'SlowCpu', metric: 'host_cpu_usage_ratio', op: '>', threshold: 0.5, for: '10m' })];
  const engine = new RuleEngine({ rules, clock });
  const t0 = clock.now();
  await engine.evaluate([cpu(0.95, { instance: 'a' }), cpu(0.95, { instance: 'b' })]);
  const saved = JSON.parse(JSON.stringify(engine.exportState())) as unknown;
  assert.ok(Array.isArray(saved));
  assert.equal(saved.length, 4);

  clock.advance(300_000);
  const restored = RuleEngine.restore({ rules: rules.map((r) => ({ ...r })), clock }, saved);
  assert.deepEqual(restored.firing().map((a) => a.labels.instance).sort(), ['a', 'b']);
  const ev = await restored.evaluate([cpu(0.85, { instance: 'a' }), cpu(0.7, { instance: 'b' })]);
  assert.deepEqual(ev.map((e) => `${e.kind} ${e.alert} ${e.labels.instance}`), ['resolved HighCpu b']);
  assert.equal(ev[0]!.startsAt, t0);
  // the pending SlowCpu kept its activeSince across the restart: fires once 10m have passed since t0
  clock.advance(300_000);
  assert.deepEqual((await restored.evaluate([cpu(0.85, { instance: 'a' }), cpu(0.7, { instance: 'b' })])).map((e) => `${e.kind} ${e.alert}`), ['firing SlowCpu', 'firing SlowCpu']);
});

test('importState drops states of changed or removed rules, resolving the firing ones; skips malformed entries', async () => {
  const clock = new ManualClock();
  const engine = new RuleEngine({ rules: [cpuRule()], clock });
  await engine.evaluate([cpu(0.95)]);
  const saved = engine.exportState();
  const changed = new RuleEngine({ rules: [cpuRule({ threshold: 0.99 })], clock });
  const events = changed.importState([...saved, { nonsense: true } as never]);
  assert.deepEqual(kinds(events), ['resolved']);
  assert.equal(events[0]!.fingerprint, saved[0]!.fingerprint);
  assert.deepEqual(changed.active(), []);
  const gone = new RuleEngine({ rules: [], clock });
  assert.deepEqual(kinds(gone.importState(saved)), ['resolved']);
});

test('external labels: on every alert under the series labels, in the fingerprint, and stable across a restart', async () => {
  const clock = new ManualClock();
  const opts = { rules: [cpuRule({ summary: 'CPU {{ value | percent }} on {{ labels.instance }}' })], clock, externalLabels: { instance: 'web-1', region: 'eu' } };
  const engine = new RuleEngine(opts);
  const [ev] = await engine.evaluate([cpu(0.95, { cpu: 'all' }), { metric: 'host_cpu_usage_ratio', labels: { cpu: '0', region: 'us' }, value: 0.99 }]);
  assert.deepEqual(ev!.labels, { instance: 'web-1', region: 'eu', cpu: 'all', alertname: 'HighCpu', severity: 'critical' });
  assert.equal(ev!.summary, 'CPU 95% on web-1');
  assert.equal(ev!.metric, 'host_cpu_usage_ratio');
  assert.equal(engine.active()[1]!.labels.region, 'us', 'a label of the series wins over an external one');
  // a restart with the same host name: same fingerprints, nothing fires again
  const again = RuleEngine.restore(opts, engine.exportState());
  assert.deepEqual(await again.evaluate([cpu(0.95, { cpu: 'all' }), { metric: 'host_cpu_usage_ratio', labels: { cpu: '0', region: 'us' }, value: 0.99 }]), []);
  assert.deepEqual(again.active().map((a) => a.fingerprint), engine.active().map((a) => a.fingerprint));
  // another host name: the old alerts resolve, new ones fire under the new identity
  const moved = new RuleEngine({ ...opts, externalLabels: { instance: 'web-2' } });
  const dropped = moved.importState(engine.exportState());
  assert.deepEqual(kinds(dropped), ['resolved', 'resolved']);
  const fired = await moved.evaluate([cpu(0.95, { cpu: 'all' })]);
  assert.equal(fired[0]!.labels.instance, 'web-2');
  // a reload that changes them does the same
  const resolved = again.replaceRules(opts.rules, { instance: 'web-3' });
  assert.deepEqual(kinds(resolved), ['resolved', 'resolved']);
  assert.equal((await again.evaluate([cpu(0.95, { cpu: 'all' })]))[0]!.labels.instance, 'web-3');
});
