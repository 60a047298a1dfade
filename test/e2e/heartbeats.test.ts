/**
 * Heartbeats end to end, short of the sidecar wiring: pings over real HTTP on 127.0.0.1 → tracker (SQLite file)
 * → heartbeat source readings → the shipped alerts.yaml rules → the real notification pipeline → a webhook
 * receiver on loopback. Time is a ManualClock; "restart" means closing everything and opening it again on the
 * same database file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { createAlerting, type Alerting } from '../../src/alerting.ts';
import { heartbeatsSchema } from '../../src/config/heartbeats.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createHeartbeats, type Heartbeats } from '../../src/wiring/heartbeats.ts';
import { HEARTBEAT_METRICS } from '../../src/heartbeats/source.ts';
import { listen, type Listening } from '../../src/http/server.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { MetricsRegistry } from '../../src/metrics/registry.ts';
import { openDatabase, type Db } from '../../src/store/db.ts';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.ts';

const ALERTS_YAML = join(dirname(fileURLToPath(import.meta.url)), '../../alerts.yaml');
const TOKEN = 'ping-token-e2e-42';
const H = 3_600_000;

async function configFor(sink: WebhookSink): Promise<Config> {
  const loaded = await loadConfigFile(ALERTS_YAML, { env: {} });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  const c = loaded.config;
  return {
    ...c,
    channels: { hook: { type: 'webhook', url: `${sink.url}/hook`, headers: {} } },
    defaults: { ...c.defaults, channels: ['hook'], delivery_thread: 'main' },
    rules: c.rules.filter((r) => r.metric in HEARTBEAT_METRICS),
    heartbeats: heartbeatsSchema.parse([
      { service: 'nightly-backup', interval: '1h', allowed_misses: 3, tolerance: '5m' },
      { service: 'etl', interval: '1h', run_timeout: '30m' },
    ]),
  };
}

interface Running {
  db: Db;
  alerting: Alerting;
  heartbeats: Heartbeats;
  http: Listening;
  evaluate(): Promise<void>;
  ping(path: string, init?: RequestInit): Promise<number>;
  stop(): Promise<void>;
}

async function startAll(config: Config, dbPath: string, clock: ManualClock): Promise<Running> {
  const logger = silentLogger();
  const db = openDatabase(dbPath);
  const alerting = createAlerting(config, { db, clock, logger, metrics: new MetricsRegistry({ version: 't', revision: 't', nodeVersion: 't' }) });
  alerting.start();
  const heartbeats = createHeartbeats(config, { db, clock, logger, token: () => TOKEN });
  heartbeats.start();
  const app = new Hono();
  heartbeats.routes(app);
  const http = await listen(app, { host: '127.0.0.1', port: 0 });
  return {
    db,
    alerting,
    heartbeats,
    http,
    async evaluate() {
      await alerting.evaluate(heartbeats.source.read(clock.now()).readings);
      await alerting.notifier.flush();
    },
    async ping(path, init) {
      const res = await fetch(`${http.url}${path}${path.includes('?') ? '&' : '?'}token=${TOKEN}`, init);
      await res.arrayBuffer();
      return res.status;
    },
    async stop() {
      await http.close(100);
      heartbeats.stop();
      await alerting.stop();
      db.close();
    },
  };
}

/** "firing:HeartbeatMissed:nightly-backup" for every alert of every webhook post, in order */
function notifications(sink: WebhookSink): string[] {
  return sink.requests.flatMap((r) => {
    const body = r.json as { alerts: { status: string; labels: Record<string, string> }[] };
    return body.alerts.map((a) => `${a.status}:${a.labels.alertname}:${a.labels.service}`);
  });
}

test('a restart in the middle of a silence still alerts on time; the alert reaches the channel once, the recovery once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-hb-e2e-'));
  const sink = await startWebhookSink();
  t.after(async () => {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const dbPath = join(dir, 'prodpulse.db');
  const config = await configFor(sink);
  const clock = new ManualClock(Date.UTC(2026, 10, 29, 3, 0, 0));

  let run = await startAll(config, dbPath, clock);
  assert.equal(await run.ping('/heartbeat/nightly-backup/0'), 200);
  assert.equal(await run.ping('/heartbeat/etl'), 200);
  const lastPing = clock.now();
  await run.evaluate();
  clock.advance(H + 5 * 60_000 + 1); // one deadline missed: late (warning), not yet down
  await run.evaluate();
  assert.deepEqual(notifications(sink).filter((n) => n.includes('nightly-backup')), ['firing:HeartbeatLate:nightly-backup']);
  clock.advance(H); // two missed
  await run.evaluate();
  // the sidecar goes down in the middle of the silence…
  await run.stop();
  clock.advance(30 * 60_000);
  // …and comes back: the deadline counts from the stored last ping, not from this start
  run = await startAll(config, dbPath, clock);
  t.after(() => run.stop());
  const dueAt = lastPing + 3 * H + 5 * 60_000;
  clock.advance(dueAt - clock.now());
  await run.evaluate();
  assert.ok(!notifications(sink).includes('firing:HeartbeatMissed:nightly-backup'), 'not before the third deadline has passed');
  clock.advance(1);
  await run.evaluate();
  assert.equal(notifications(sink).filter((n) => n === 'firing:HeartbeatMissed:nightly-backup').length, 1);
  const firing = run.alerting.active().find((a) => a.alert === 'HeartbeatMissed' && a.labels.service === 'nightly-backup')!;
  assert.equal(firing.summary, 'nightly-backup missed 3 consecutive heartbeats');
  assert.equal(firing.firingSince, dueAt + 1);
  clock.advance(10 * 60_000);
  await run.evaluate();
  assert.equal(notifications(sink).filter((n) => n === 'firing:HeartbeatMissed:nightly-backup').length, 1, 'once');

  assert.equal(await run.ping('/heartbeat/nightly-backup', { method: 'POST', body: 'backup done' }), 200);
  await run.evaluate();
  await run.evaluate();
  assert.equal(notifications(sink).filter((n) => n === 'resolved:HeartbeatMissed:nightly-backup').length, 1, 'one resolved notice');
  assert.equal(run.heartbeats.tracker.state('nightly-backup')!.lastMessage, 'backup done');
});

test('failing by exit code and a run past run_timeout alert once each; the next success resolves both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'prodpulse-hb-e2e-'));
  const sink = await startWebhookSink();
  t.after(async () => {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = await configFor(sink);
  const clock = new ManualClock();
  const run = await startAll(config, join(dir, 'prodpulse.db'), clock);
  t.after(() => run.stop());
  assert.equal(await run.ping('/heartbeat/etl/2', { method: 'POST', body: 'load failed: table locked' }), 200);
  await run.evaluate();
  assert.equal(await run.ping('/heartbeat/etl/start?rid=run-7'), 200);
  clock.advance(30 * 60_000 + 1);
  await run.evaluate();
  await run.evaluate();
  assert.deepEqual(notifications(sink).filter((n) => n.endsWith(':etl')), ['firing:JobFailed:etl', 'firing:HeartbeatRunTimeout:etl']);
  assert.equal(await run.ping('/heartbeat/etl/0?rid=run-7'), 200);
  await run.evaluate();
  assert.deepEqual(notifications(sink).filter((n) => n.endsWith(':etl')).slice(2).sort(), ['resolved:HeartbeatRunTimeout:etl', 'resolved:JobFailed:etl']);
  assert.equal(run.heartbeats.tracker.state('etl')!.runDurationsMs.at(-1), 30 * 60_000 + 1);
  assert.equal(await run.ping('/heartbeat/etl/256'), 400);
});
