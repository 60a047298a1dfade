import { createAlerting } from '../alerting.ts';
import { loadConfig } from '../wiring/config.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/logger.ts';
import { REVISION, VERSION } from '../lib/version.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import type { AlertEvent } from '../notify/types.ts';
import { alertFingerprint } from '../rules/fingerprint.ts';
import { openDatabase } from '../store/db.ts';
import { parseCommandArgs, resolveConfigPath, resolveListen } from './args.ts';
import { writeFile } from 'node:fs/promises';
import { readStaticFacts } from '../collectors/static-facts.ts';
import { channelInactiveReason } from '../config/schema.ts';
import { parseListen } from '../http/server.ts';
import { emailParts } from '../notify/channels/email.ts';
import { previewChannel } from '../notify/channels/preview.ts';
import { resolveExternalUrl } from '../notify/links.ts';
import { resolveExternalLabels } from '../rules/external-labels.ts';
import type { Io } from './check.ts';

/** The test alert: carries this sidecar's external labels (instance = host name), like every real alert. */
export function testEvent(externalLabels: Record<string, string>, now: number): AlertEvent {
  const alert = 'ProdpulseTestNotification';
  const labels: Record<string, string> = { ...externalLabels, alertname: alert, severity: 'info' };
  const where = labels.instance ? ` on ${labels.instance}` : '';
  return {
    kind: 'firing',
    alert,
    fingerprint: alertFingerprint(alert, labels),
    severity: 'info',
    labels,
    annotations: { summary: `Test notification from prodpulse test-notify${where}`, description: 'If you can read this, the channel works.' },
    value: 1,
    threshold: 0,
    startsAt: now,
    summary: `Test notification from prodpulse test-notify${where}`,
  };
}

/**
 * `test-notify [CHANNEL…] [--config PATH] [--dry-run] [--html FILE]`: sends one test alert through the real
 * pipeline (outbox, grouping, p-retry delivery) to the named channels, or to every active channel, and reports
 * each channel's outcome. Uses a throwaway in-memory database, so the running sidecar's state is not touched.
 * Exit 0 when all delivered. `--dry-run` prints what each named (or every configured) channel would send and
 * sends nothing; `--html FILE` writes the email's HTML part to FILE (and sends nothing either).
 */
export async function testNotifyCommand(args: string[], io: Io, deps: { hostname?: () => Promise<string> } = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { config: { type: 'string', short: 'c' }, 'dry-run': { type: 'boolean' }, html: { type: 'string' } });
  const path = resolveConfigPath(values.config as string | undefined, io.env);
  const loaded = await loadConfig(path, { env: io.env });
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
  const hostname = await (deps.hostname ?? (async () => (await readStaticFacts({ paths: config.sampling.paths })).hostname))();
  let port = 9470;
  try {
    port = parseListen(resolveListen(undefined, io.env, config.server.listen)).port;
  } catch {
    // an unusable listen address is serve's error to report; links use the default port
  }
  if (values['dry-run'] || values.html !== undefined) {
    const externalUrl = resolveExternalUrl(config.server.external_url, hostname, port);
    const event = testEvent(resolveExternalLabels(config.external_labels, hostname), Date.now());
    if (values.html !== undefined) {
      await writeFile(values.html as string, (await emailParts([event], externalUrl)).html);
      io.stdout(`email HTML part written to ${values.html as string}`);
    }
    if (!values['dry-run']) return 0;
    const names = positionals.length ? positionals : Object.keys(config.channels);
    if (names.length === 0) io.stderr('no channel configured');
    for (const name of names) {
      const cfg = config.channels[name]!;
      const inactive = channelInactiveReason(cfg);
      io.stdout(`=== ${name} (${cfg.type})${inactive ? ` — inactive: ${inactive}` : ''} — dry run, nothing sent ===`);
      io.stdout(await previewChannel(name, cfg, [event], { externalUrl, now: event.startsAt }));
      io.stdout('');
    }
    return names.length ? 0 : 1;
  }
  const db = openDatabase(':memory:');
  const logger = createLogger({ level: io.env.LOG_LEVEL ?? 'warn' });
  const metrics = new MetricsRegistry({ version: VERSION, revision: REVISION, nodeVersion: process.version });
  const alerting = createAlerting(config, { db, clock: systemClock, logger, metrics, hostname, listenPort: port, retry: { retries: 2, minTimeout: 500, maxTimeout: 2000, maxRetryTime: 10_000, laterMs: 3_600_000 } });
  const statuses = alerting.channels();
  const wanted = positionals.length ? positionals : statuses.filter((s) => s.active).map((s) => s.name);
  for (const s of statuses.filter((s) => wanted.includes(s.name) && !s.active)) io.stderr(`${s.name}: inactive (${s.inactiveReason})`);
  const targets = wanted.filter((n) => statuses.find((s) => s.name === n)?.active);
  if (targets.length === 0) {
    io.stderr('no active channel to test');
    db.close();
    return 1;
  }

  const event = testEvent(alerting.externalLabels(), Date.now());
  alerting.applyConfig({ ...config, rules: [], defaults: { ...config.defaults, channels: targets } });
  alerting.start();
  await alerting.notifier.process([event], []);
  await alerting.notifier.flush();
  await alerting.stop();

  let failed = 0;
  for (const r of alerting.records(event.fingerprint)) {
    const ok = r.status === 'delivered';
    if (!ok) failed++;
    (ok ? io.stdout : io.stderr)(`${r.channel}: ${r.status} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}${r.lastError ? `: ${r.lastError}` : ''}`);
  }
  db.close();
  return failed === 0 ? 0 : 1;
}
