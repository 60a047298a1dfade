import { createAlerting } from '../alerting.ts';
import { loadConfigFile } from '../config/load.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/logger.ts';
import { REVISION, VERSION } from '../lib/version.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import type { AlertEvent } from '../notify/types.ts';
import { alertFingerprint } from '../rules/fingerprint.ts';
import { openDatabase } from '../store/db.ts';
import { parseCommandArgs, resolveConfigPath } from './args.ts';
import type { Io } from './check.ts';

/**
 * `test-notify [CHANNEL…] [--config PATH]`: sends one test alert through the real pipeline (outbox, grouping,
 * p-retry delivery) to the named channels, or to every active channel, and reports each channel's outcome.
 * Uses a throwaway in-memory database, so the running sidecar's state is not touched. Exit 0 when all delivered.
 */
export async function testNotifyCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { config: { type: 'string', short: 'c' } });
  const path = resolveConfigPath(values.config as string | undefined, io.env);
  const loaded = await loadConfigFile(path, { env: io.env });
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr(e);
    return 1;
  }
  const config = loaded.config;
  const unknown = positionals.filter((n) => !(n in config.channels));
  if (unknown.length) {
    io.stderr(`unknown channel${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (configured: ${Object.keys(config.channels).join(', ') || 'none'})`);
    return 2;
  }
  const db = openDatabase(':memory:');
  const logger = createLogger({ level: io.env.LOG_LEVEL ?? 'warn' });
  const metrics = new MetricsRegistry({ version: VERSION, revision: REVISION, nodeVersion: process.version });
  const alerting = createAlerting(config, { db, clock: systemClock, logger, metrics, retry: { retries: 2, minTimeout: 500, maxTimeout: 2000, maxRetryTime: 10_000, laterMs: 3_600_000 } });
  const statuses = alerting.channels();
  const wanted = positionals.length ? positionals : statuses.filter((s) => s.active).map((s) => s.name);
  for (const s of statuses.filter((s) => wanted.includes(s.name) && !s.active)) io.stderr(`${s.name}: inactive (${s.inactiveReason})`);
  const targets = wanted.filter((n) => statuses.find((s) => s.name === n)?.active);
  if (targets.length === 0) {
    io.stderr('no active channel to test');
    db.close();
    return 1;
  }

  const now = Date.now();
  const labels = { alertname: 'ProdpulseTestNotification', severity: 'info', instance: config.server.external_url ?? 'prodpulse' };
  const event: AlertEvent = {
    kind: 'firing',
    alert: labels.alertname,
    fingerprint: alertFingerprint(labels.alertname, labels),
    severity: 'info',
    labels,
    annotations: { summary: 'Test notification from prodpulse test-notify', description: 'If you can read this, the channel works.' },
    value: 1,
    threshold: 0,
    startsAt: now,
    summary: 'Test notification from prodpulse test-notify',
  };
  alerting.applyConfig({ ...config, rules: [], defaults: { ...config.defaults, channels: targets } });
  alerting.start();
  alerting.notifier.process([event], []);
  await alerting.notifier.flush();
  await alerting.stop();

  let failed = 0;
  for (const r of alerting.notifier.records(event.fingerprint)) {
    const ok = r.status === 'delivered';
    if (!ok) failed++;
    (ok ? io.stdout : io.stderr)(`${r.channel}: ${r.status} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}${r.lastError ? `: ${r.lastError}` : ''}`);
  }
  db.close();
  return failed === 0 ? 0 : 1;
}
