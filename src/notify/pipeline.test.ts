import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../lib/clock.ts';
import { silentLogger } from '../lib/logger.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { createNotifier, notifierConfigFromConfig, type ActiveAlertLike, type NotifierConfig, type Notifier } from './pipeline.ts';
import { silenceInputSchema } from './silences.ts';
import { NotifyError, type AlertEvent, type Channel } from './types.ts';
import { configSchema } from '../config/schema.ts';

const HOUR = 3_600_000;
const FAST = { retries: 2, minTimeout: 1, maxTimeout: 5, maxRetryTime: 5_000, attemptTimeoutMs: 5_000, laterMs: 60_000 };

type Behaviour = (events: AlertEvent[], signal: AbortSignal, call: number) => Promise<void>;
interface FakeChannel extends Channel {
  calls: AlertEvent[][];
  behaviour: Behaviour;
}
/** Our own Channel interface, recording what it is asked to send. */
function fakeChannel(name: string, type: Channel['type'] = 'webhook', extra: { resendIntervalMs?: number } = {}): FakeChannel {
  const ch: FakeChannel = {
    name,
    type,
    ...extra,
    calls: [],
    behaviour: async () => {},
    async send(events, signal) {
      ch.calls.push(events);
      await ch.behaviour(events, signal, ch.calls.length);
    },
  };
  return ch;
}

const ev = (kind: AlertEvent['kind'], n = 1, alert = 'HighCpu', extraLabels: Record<string, string> = {}): AlertEvent => ({
  kind,
  alert,
  fingerprint: `${alert}-${n}`,
  severity: 'critical',
  labels: { alertname: alert, severity: 'critical', instance: `host-${n}`, ...extraLabels },
  annotations: { summary: `cpu high on host-${n}` },
  value: 0.95,
  threshold: 0.9,
  startsAt: Date.UTC(2026, 0, 1),
  ...(kind === 'resolved' ? { endsAt: Date.UTC(2026, 0, 1) + 1 } : {}),
  summary: `cpu high on host-${n}`,
});
const active = (e: AlertEvent): ActiveAlertLike => ({ ...e, state: 'firing', firingSince: e.startsAt });

const baseConfig = (over: Partial<NotifierConfig['defaults']> = {}, rest: Partial<NotifierConfig> = {}): NotifierConfig => ({
  defaults: { channels: ['slack', 'email'], repeatIntervalMs: 4 * HOUR, sendResolved: true, ...over },
  ruleChannels: {},
  maintenance: [],
  ...rest,
});

interface Setup {
  n: Notifier;
  clock: ManualClock;
  db: Db;
  slack: FakeChannel;
  email: FakeChannel;
  outcomes: Array<[string, string]>;
  depths: number[];
}
function setup(t: { after(fn: () => unknown): void }, opts: { config?: NotifierConfig; db?: Db; channels?: FakeChannel[]; clock?: ManualClock; start?: boolean } = {}): Setup {
  const clock = opts.clock ?? new ManualClock();
  const db = opts.db ?? openDatabase(':memory:');
  const all = opts.channels ?? [fakeChannel('slack', 'slack'), fakeChannel('email', 'email')];
  const byName = (name: string) => all.find((c) => c.name === name) ?? fakeChannel(`${name}-unused`);
  const slack = byName('slack');
  const email = byName('email');
  const outcomes: Array<[string, string]> = [];
  const depths: number[] = [];
  const n = createNotifier({
    db,
    channels: new Map(all.map((c) => [c.name, c])),
    config: opts.config ?? baseConfig(),
    clock,
    logger: silentLogger(),
    metrics: { onOutcome: (ch, o) => outcomes.push([ch, o]), onQueueDepth: (d) => depths.push(d) },
    retry: FAST,
    secrets: () => ['s3cr3t-token'],
  });
  if (opts.start !== false) n.start();
  t.after(() => n.stop());
  return { n, clock, db, slack, email, outcomes, depths };
}

test('grouping: 10 events in one evaluation become one message per channel', async (t) => {
  const { n, slack, email, db, depths } = setup(t);
  const events = Array.from({ length: 10 }, (_, i) => ev('firing', i));
  await n.process(events, events.map(active));
  await n.flush();
  assert.equal(slack.calls.length, 1);
  assert.equal(email.calls.length, 1);
  assert.equal(slack.calls[0]?.length, 10);
  assert.deepEqual(email.calls[0]?.map((e) => e.fingerprint), events.map((e) => e.fingerprint));
  assert.equal(db.sql.prepare('SELECT COUNT(*) AS n FROM outbox').get()?.n, 2);
  assert.equal(n.queueDepth(), 0);
  assert.equal(depths.at(-1), 0);
  assert.ok(depths.includes(2), 'queue depth reported after the rows were written');
  assert.deepEqual(n.records('HighCpu-3').map((r) => [r.channel, r.status, r.attempts]), [['email', 'delivered', 1], ['slack', 'delivered', 1]]);
  assert.equal(n.history(100, 0).total, 10);
});

for (const [failAt, slackCalls, what] of [
  [4, 1, "email's outbox row fails: slack (row and records committed) is not queued again"],
  [3, 2, "slack's records fail after its row: slack is sent again (repeated, never lost)"],
] as const) {
  test(`a write failing part-way, then the events retried: ${what}`, async (t) => {
    const db = openDatabase(':memory:');
    const realTx = db.tx;
    let calls = 0;
    let fail: number = failAt; // transactions: 1 history, 2 slack's row, 3 slack's records, 4 email's row, 5 email's records
    db.tx = ((fn: () => unknown) => {
      calls++;
      if (calls === fail) throw new Error('SQLITE_FULL: database or disk is full');
      return realTx(fn);
    }) as Db['tx'];
    const { n, slack, email } = setup(t, { db });
    const events = [ev('firing', 1)];
    await assert.rejects(n.process(events, events.map(active)), /SQLITE_FULL/);
    fail = -1;
    await n.process(events, events.map(active)); // what Alerting does with the events of a failed evaluation
    await n.flush();
    assert.equal(slack.calls.length, slackCalls);
    assert.equal(email.calls.length, 1, 'email: queued by the retry');
    assert.deepEqual(n.records('HighCpu-1').map((r) => [r.channel, r.status]), [['email', 'delivered'], ['slack', 'delivered']]);
  });
}

test('process with a pacer that is always due yields at every step and writes the same as with neverDue', async (t) => {
  const { n, slack, db } = setup(t);
  const events = Array.from({ length: 450 }, (_, i) => ev('firing', i));
  let pauses = 0;
  const alwaysDue = { due: () => true, yield: () => (pauses++, new Promise<void>((r) => setImmediate(r))) };
  await n.process(events, events.map(active), alwaysDue);
  await n.flush();
  assert.ok(pauses > 450, `one step per event at least (${pauses})`);
  assert.equal(slack.calls.length, 1);
  assert.equal(slack.calls[0]?.length, 450);
  assert.equal(db.sql.prepare('SELECT COUNT(*) AS n FROM notification_records').get()?.n, 900);
});

test('routing: a rule with its own channels goes only there', async (t) => {
  const { n, slack, email } = setup(t, { config: baseConfig({}, { ruleChannels: { DiskFull: ['email'] } }) });
  await n.process([ev('firing', 1, 'DiskFull'), ev('firing', 1)], []);
  await n.flush();
  assert.deepEqual(slack.calls.map((c) => c.map((e) => e.alert)), [['HighCpu']]);
  assert.deepEqual(email.calls.map((c) => c.map((e) => e.alert)), [['DiskFull', 'HighCpu']]);
});

test('dedup: firing once per episode; resolved only after a sent firing', async (t) => {
  const { n, slack } = setup(t, { channels: [fakeChannel('slack', 'slack')], config: baseConfig({ channels: ['slack'] }) });
  const kinds = () => slack.calls.map((c) => c.map((e) => `${e.kind}:${e.fingerprint}`));
  await n.process([ev('firing', 1)], [active(ev('firing', 1))]);
  await n.flush();
  await n.process([ev('firing', 1)], [active(ev('firing', 1))]); // a repeated firing for the same alert
  await n.process([], [active(ev('firing', 1))]);
  await n.flush();
  assert.deepEqual(kinds(), [['firing:HighCpu-1']]);
  await n.process([ev('resolved', 2)], []); // never notified as firing
  await n.process([ev('resolved', 1)], []);
  await n.flush();
  await n.process([ev('resolved', 1)], []);
  await n.flush();
  assert.deepEqual(kinds(), [['firing:HighCpu-1'], ['resolved:HighCpu-1']]);
  await n.process([ev('firing', 1)], [active(ev('firing', 1))]); // a new episode
  await n.flush();
  assert.equal(slack.calls.length, 3);
  assert.deepEqual(n.records('HighCpu-1').map((r) => [r.kind, r.status]), [['firing', 'delivered']]);
});

test('send_resolved false: resolved is not sent (except to Alertmanager), the next episode fires again', async (t) => {
  const am = fakeChannel('am', 'alertmanager');
  const { n, slack } = setup(t, { channels: [fakeChannel('slack', 'slack'), am], config: baseConfig({ channels: ['slack', 'am'], sendResolved: false }) });
  await n.process([ev('firing', 1)], [active(ev('firing', 1))]);
  await n.flush();
  await n.process([ev('resolved', 1)], []);
  await n.flush();
  assert.deepEqual(slack.calls.map((c) => c[0]?.kind), ['firing']);
  assert.deepEqual(am.calls.map((c) => c[0]?.kind), ['firing', 'resolved']);
  await n.process([ev('firing', 1)], [active(ev('firing', 1))]);
  await n.flush();
  assert.deepEqual(slack.calls.map((c) => c[0]?.kind), ['firing', 'firing']);
});

test('repeat_interval: a firing alert is re-sent as a reminder once its last notification is older', async (t) => {
  const am = fakeChannel('am', 'alertmanager', { resendIntervalMs: 60_000 });
  const { n, slack, clock } = setup(t, { channels: [fakeChannel('slack', 'slack'), am], config: baseConfig({ channels: ['slack', 'am'], repeatIntervalMs: HOUR }) });
  const e = ev('firing', 1);
  await n.process([e], [active(e)]);
  await n.flush();
  const evaluate = async (ms: number) => {
    clock.advance(ms);
    await n.process([], [{ ...active(e), value: 0.99 }, { ...active(ev('firing', 2)), state: 'pending' }]);
    await n.flush();
  };
  await evaluate(59_999);
  assert.equal(am.calls.length, 1);
  await evaluate(1); // 60 s: Alertmanager's resend interval
  assert.equal(am.calls.length, 2);
  assert.equal(slack.calls.length, 1);
  await evaluate(HOUR - 60_000 - 1);
  assert.equal(slack.calls.length, 1, 'not before repeat_interval');
  await evaluate(1);
  assert.equal(slack.calls.length, 2, 'reminder at repeat_interval');
  const reminder = slack.calls[1]!;
  assert.equal(reminder.length, 1, 'a pending alert is never sent');
  assert.equal(reminder[0]?.kind, 'firing');
  assert.equal(reminder[0]?.value, 0.99, 'reminder carries the current value');
  assert.equal(reminder[0]?.startsAt, e.startsAt, 'and the original start');
  await evaluate(HOUR / 2);
  assert.equal(slack.calls.length, 2);
});

test('no reminder piles up while the previous notification is still queued', async (t) => {
  const { n, slack, clock } = setup(t, { channels: [fakeChannel('slack', 'slack')], config: baseConfig({ channels: ['slack'], repeatIntervalMs: 1000 }) });
  slack.behaviour = async () => {
    throw new NotifyError('HTTP 503', { recoverable: true, reason: 'http_503' });
  };
  const e = ev('firing', 1);
  await n.process([e], [active(e)]);
  await n.flush();
  clock.advance(5000);
  await n.process([], [active(e)]);
  await n.flush();
  assert.equal(n.queueDepth(), 1);
});

test('silences and maintenance windows mute; when a silence ends the firing alert is sent', async (t) => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const config = baseConfig(
    { channels: ['slack'] },
    { maintenance: [{ comment: 'db work', matchers: [{ name: 'service', value: 'db', isRegex: false, isEqual: true }], starts_at: new Date(t0), ends_at: new Date(t0 + HOUR) }] },
  );
  const { n, slack, outcomes } = setup(t, { clock, channels: [fakeChannel('slack', 'slack')], config });
  const sil = n.silences.create(silenceInputSchema.parse({ matchers: [{ name: 'instance', value: 'host-1' }], endsAt: new Date(t0 + 10 * 60_000), comment: 'noisy' }));
  const e1 = ev('firing', 1);
  const e2 = ev('firing', 2);
  const db = ev('firing', 3, 'ProbeDown', { service: 'db' });
  await n.process([e1, e2, db], [e1, e2, db].map(active));
  await n.flush();
  assert.deepEqual(slack.calls.map((c) => c.map((e) => e.fingerprint)), [['HighCpu-2']]);
  assert.deepEqual(outcomes.filter(([, o]) => o === 'silenced'), [['slack', 'silenced'], ['slack', 'silenced']]);
  assert.deepEqual(n.records('HighCpu-1').map((r) => r.status), ['silenced']);
  assert.deepEqual(n.records('ProbeDown-3').map((r) => r.status), ['silenced']);

  n.silences.expire(sil.id);
  clock.advance(1000);
  await n.process([], [e1, e2, db].map(active));
  await n.flush();
  assert.deepEqual(slack.calls.map((c) => c.map((e) => e.fingerprint)), [['HighCpu-2'], ['HighCpu-1']]);
  assert.deepEqual(n.records('HighCpu-1').map((r) => r.status), ['delivered']);

  clock.advance(HOUR);
  await n.process([], [e1, e2, db].map(active));
  await n.flush();
  assert.deepEqual(slack.calls.at(-1)?.map((e) => e.fingerprint), ['ProbeDown-3'], 'maintenance over');
});

test('a silenced resolve does not leave the alert marked as notified', async (t) => {
  const { n, slack, clock } = setup(t, { channels: [fakeChannel('slack', 'slack')], config: baseConfig({ channels: ['slack'] }) });
  await n.process([ev('firing', 1)], [active(ev('firing', 1))]);
  await n.flush();
  const sil = n.silences.create(silenceInputSchema.parse({ matchers: [{ name: 'instance', value: 'host-1' }], endsAt: new Date(clock.now() + HOUR), comment: 'x' }));
  await n.process([ev('resolved', 1)], []);
  n.silences.expire(sil.id);
  clock.advance(1);
  await n.process([ev('firing', 1)], [active(ev('firing', 1))]);
  await n.flush();
  assert.deepEqual(slack.calls.map((c) => c[0]?.kind), ['firing', 'firing']);
});

test('not recoverable: one attempt, row failed at once, error recorded and redacted', async (t) => {
  const { n, slack, email, outcomes } = setup(t);
  slack.behaviour = async () => {
    throw new NotifyError('invalid_auth for token s3cr3t-token at https://user:pw@hooks.example/x', { recoverable: false, reason: 'invalid_auth' });
  };
  await n.process([ev('firing', 1)], []);
  await n.flush();
  assert.equal(slack.calls.length, 1);
  assert.equal(email.calls.length, 1);
  const rec = n.records('HighCpu-1').find((r) => r.channel === 'slack')!;
  assert.equal(rec.status, 'failed');
  assert.equal(rec.attempts, 1);
  assert.ok(rec.lastError?.includes('invalid_auth'));
  assert.ok(!rec.lastError?.includes('s3cr3t-token'), rec.lastError ?? '');
  assert.ok(!rec.lastError?.includes('pw@'), rec.lastError ?? '');
  assert.deepEqual(outcomes.filter(([c]) => c === 'slack').map(([, o]) => o), ['failed']);
  assert.equal(n.queueDepth(), 0);
});

test('recoverable: retried by p-retry, then delivered', async (t) => {
  const { n, slack, outcomes } = setup(t);
  slack.behaviour = async (_e, _s, call) => {
    if (call < 3) throw new Error('ECONNRESET');
  };
  await n.process([ev('firing', 1)], []);
  await n.flush();
  assert.equal(slack.calls.length, 3);
  const rec = n.records('HighCpu-1').find((r) => r.channel === 'slack')!;
  assert.deepEqual([rec.status, rec.attempts, rec.lastError], ['delivered', 3, null]);
  assert.ok(rec.deliveredAt !== null);
  assert.deepEqual(outcomes.filter(([c]) => c === 'slack').map(([, o]) => o), ['retry', 'retry', 'delivered']);
});

test('recoverable and still failing: kept pending, tried again later until it succeeds, in order', async (t) => {
  const { n, slack, clock } = setup(t, { channels: [fakeChannel('slack', 'slack')], config: baseConfig({ channels: ['slack'] }) });
  let down = true;
  slack.behaviour = async () => {
    if (down) throw new NotifyError('HTTP 503', { recoverable: true, reason: 'http_503' });
  };
  await n.process([ev('firing', 1)], []);
  await n.flush();
  const rec = n.records('HighCpu-1')[0]!;
  assert.deepEqual([rec.status, rec.attempts, rec.lastError], ['pending', FAST.retries + 1, 'HTTP 503']);
  await n.process([ev('resolved', 1)], []);
  await n.flush();
  assert.equal(slack.calls.length, FAST.retries + 1, 'one p-retry round; the resolved waits behind the firing');
  assert.equal(n.queueDepth(), 2);
  assert.deepEqual(n.records('HighCpu-1').map((r) => [r.kind, r.status, r.attempts]), [['resolved', 'pending', 0]]);
  clock.advance(FAST.laterMs - 1);
  await n.flush();
  assert.equal(slack.calls.length, FAST.retries + 1);
  down = false;
  clock.advance(1);
  await n.flush();
  assert.equal(n.queueDepth(), 0);
  assert.deepEqual(slack.calls.slice(FAST.retries + 1).map((c) => c[0]?.kind), ['firing', 'resolved']);
});

test('Retry-After longer than the backoff defers the row by Retry-After', async (t) => {
  const { n, slack, clock } = setup(t, { channels: [fakeChannel('slack', 'slack')], config: baseConfig({ channels: ['slack'] }) });
  slack.behaviour = async (_e, _s, call) => {
    if (call === 1) throw new NotifyError('rate limited', { recoverable: true, reason: 'rate_limited', retryAfterMs: 120_000 });
  };
  await n.process([ev('firing', 1)], []);
  await n.flush();
  assert.equal(slack.calls.length, 1, 'no in-round retry before Retry-After');
  clock.advance(119_999);
  await n.flush();
  assert.equal(slack.calls.length, 1);
  clock.advance(1);
  await n.flush();
  assert.equal(slack.calls.length, 2);
  assert.equal(n.queueDepth(), 0);
});

test('a huge Retry-After (3 000 000 s) is clamped to the retry budget: one deferral of an hour, no busy loop', async (t) => {
  const { n, slack, clock } = setup(t, { channels: [fakeChannel('slack', 'slack')], config: baseConfig({ channels: ['slack'] }) });
  slack.behaviour = async (_e, _s, call) => {
    if (call === 1) throw new NotifyError('unavailable', { recoverable: true, reason: 'http_503', retryAfterMs: 3_000_000_000 });
  };
  await n.process([ev('firing', 1)], []);
  await n.flush();
  assert.equal(slack.calls.length, 1);
  clock.advance(3_600_000 - 1);
  await n.flush();
  assert.equal(slack.calls.length, 1, 'waits the clamped hour');
  clock.advance(1);
  await n.flush();
  assert.equal(slack.calls.length, 2, 'tried again after one hour, not after 34 days (or at once)');
});

test('a hung channel does not delay another; stop() ends the hung attempt and keeps the row', async (t) => {
  const { n, slack, email } = setup(t);
  let slackStarted!: () => void;
  const started = new Promise<void>((r) => (slackStarted = r));
  slack.behaviour = () => {
    slackStarted();
    return new Promise<void>(() => {}); // never settles, ignores the signal
  };
  let emailDone!: () => void;
  const delivered = new Promise<void>((r) => (emailDone = r));
  email.behaviour = async () => emailDone();
  await n.process([ev('firing', 1)], []);
  await Promise.all([started, delivered]);
  await new Promise((r) => setImmediate(r));
  const recs = Object.fromEntries(n.records('HighCpu-1').map((r) => [r.channel, r.status]));
  assert.deepEqual(recs, { email: 'delivered', slack: 'pending' });
  await n.stop();
  assert.equal(n.queueDepth(), 1);
});

test('restart: a new notifier on the same db file delivers pending rows once and never resends delivered ones', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-notify-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'data', 'prodpulse.db');
  const clock = new ManualClock();
  const config = baseConfig({ channels: ['slack', 'email'] });

  const db1 = openDatabase(path);
  const first = setup(t, { db: db1, clock, config });
  first.slack.behaviour = async () => {
    throw new NotifyError('HTTP 503', { recoverable: true, reason: 'http_503' });
  };
  const e1 = ev('firing', 1);
  await n1Process(first.n, e1);
  await first.n.flush();
  assert.equal(first.email.calls.length, 1);
  assert.equal(first.n.queueDepth(), 1);
  await first.n.stop();
  db1.close();

  const db2 = openDatabase(path);
  t.after(() => db2.close());
  const second = setup(t, { db: db2, clock, config, start: false });
  second.n.start();
  await second.n.flush();
  assert.equal(second.slack.calls.length, 1, 'the pending slack row is delivered');
  assert.deepEqual(second.slack.calls[0]?.map((e) => e.fingerprint), ['HighCpu-1']);
  assert.equal(second.email.calls.length, 0, 'the delivered email row is not sent again');
  // the engine restores the alert as firing: nothing new is sent
  await n1Process(second.n, e1);
  await second.n.flush();
  assert.equal(second.slack.calls.length, 1);
  assert.equal(second.email.calls.length, 0);
  assert.equal(second.n.queueDepth(), 0);
});
async function n1Process(n: Notifier, e: AlertEvent) {
  await n.process([e], [active(e)]);
}

test('notifierConfigFromConfig takes defaults, rule channels and maintenance from alerts.yaml', async () => {
  const cfg = configSchema.parse({
    channels: { hook: { type: 'webhook', url: 'http://127.0.0.1:1/x' }, other: { type: 'webhook', url: 'http://127.0.0.1:1/y' } },
    defaults: { channels: ['hook'], repeat_interval: '30m', send_resolved: false },
    rules: [
      { alert: 'A', metric: 'm', op: '>', threshold: 1, channels: ['other'] },
      { alert: 'B', metric: 'm', op: '>', threshold: 1 },
    ],
    maintenance: [{ matchers: [{ name: 'a', value: 'b' }], starts_at: '2026-01-01T00:00:00Z', ends_at: '2026-01-01T01:00:00Z' }],
  });
  const nc = notifierConfigFromConfig(cfg);
  assert.deepEqual(nc.defaults, { channels: ['hook'], repeatIntervalMs: 30 * 60_000, sendResolved: false });
  assert.deepEqual(nc.ruleChannels, { A: ['other'] });
  assert.equal(nc.maintenance.length, 1);
});
