/**
 * A sidecar restarted (a deploy, a crash) while a service it probes is down: the open incident goes on. The
 * ServiceDown alert stays firing under the same fingerprint (no "resolved" notice at restart, no second CRITICAL
 * INCIDENT a few checks later), a drift is not announced again, and the recovery after the restart still sends
 * one resolved notice. Real sidecar processes on one data directory, a real target and webhook receiver.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { OK, startProbeTarget, type ProbeTarget } from '../support/probe-target.ts';
import { startSidecar, type RunningSidecar } from '../support/sidecar-process.ts';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.ts';
import { waitFor } from '../support/wait.ts';

const shipped = parse(readFileSync(new URL('../../alerts.yaml', import.meta.url), 'utf8')) as { rules: { alert: string }[] };
const serviceRules = shipped.rules.filter((r) => ['ServiceDown', 'VersionDrift'].includes(r.alert));

const config = (sinkUrl: string, targetUrl: string) =>
  stringify({
    sampling: { interval: '200ms', collectors: { cpu: false, load: false, memory: false, filesystem: false, disk: false, network: false, boot: false } },
    channels: { hook: { type: 'webhook', url: `${sinkUrl}/hook` } },
    defaults: { channels: ['hook'], services: { interval: '1s', timeout: '500ms', failure_threshold: 2 } },
    services: [{ id: 'payments', name: 'Payments', url: targetUrl, expected_version: '2.0.0' }],
    rules: serviceRules,
  });

let target: ProbeTarget | undefined;
let sink: WebhookSink | undefined;
let sidecar: RunningSidecar | undefined;
let dir: string | undefined;
after(async () => {
  await sidecar?.stop();
  await Promise.all([target?.close(), sink?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Alert = { status: string; labels: Record<string, string>; fingerprint?: string };
const notices = (name: string) =>
  sink!.requests
    .filter((r) => r.path === '/hook')
    .flatMap((r) => (r.json as { alerts: Alert[] }).alerts)
    .filter((a) => a.labels.alertname === name)
    .map((a) => a.status);
const active = async (s: RunningSidecar) =>
  ((await (await fetch(`${s.url}/alerts`)).json()) as { active: { alert: string; fingerprint: string; state: string }[] }).active;
const checksSince = async (s: RunningSidecar, since: number) =>
  ((await (await fetch(`${s.url}/health/payments?limit=20`)).json()) as { checks: { timestamp: string }[] }).checks.filter((c) => Date.parse(c.timestamp) > since).length;

test('a restart in the middle of an outage keeps the incident open: no resolved notice, no second incident', async () => {
  target = await startProbeTarget({ kind: 'json', status: 500, version: '2.1.0' });
  sink = await startWebhookSink();
  dir = await mkdtemp(join(tmpdir(), 'prodpulse-restart-'));
  const text = config(sink.url, `${target.origin}/health`);

  sidecar = await startSidecar({ config: text, dir });
  await waitFor('ServiceDown firing', () => notices('ServiceDown').includes('firing'), 20_000, sidecar.output);
  await waitFor('VersionDrift firing', () => notices('VersionDrift').includes('firing'), 20_000, sidecar.output);
  const before = (await active(sidecar)).find((a) => a.alert === 'ServiceDown');
  assert.ok(before, 'ServiceDown active before the restart');
  assert.equal(await sidecar.stop(), 0);
  const firstRun = sidecar.output();

  const restartedAt = Date.now();
  sidecar = await startSidecar({ config: text, dir });
  // three failed checks after the restart: more than failure_threshold, so a reset streak would open a new incident
  await waitFor('three checks after the restart', async () => (await checksSince(sidecar!, restartedAt)) >= 3, 20_000, sidecar.output);
  await new Promise((r) => setTimeout(r, 600)); // a few more evaluations (sampling every 200 ms)

  assert.deepEqual(notices('ServiceDown'), ['firing'], 'no resolved notice at the restart and no second incident');
  assert.deepEqual(notices('VersionDrift'), ['firing']);
  const afterRestart = (await active(sidecar)).find((a) => a.alert === 'ServiceDown');
  assert.equal(afterRestart?.fingerprint, before.fingerprint, 'the same alert keeps firing');
  assert.equal(afterRestart?.state, 'firing');
  const secondRun = sidecar.output();
  assert.equal((firstRun.match(/CRITICAL INCIDENT/g) ?? []).length, 1);
  assert.doesNotMatch(secondRun, /CRITICAL INCIDENT/, 'the incident is not opened again');
  assert.doesNotMatch(secondRun, /VERSION DRIFT:/, 'the drift is not announced again');

  // the resumed incident still recovers with one resolved notice
  target.mode = OK;
  await waitFor('the resolved notice', () => notices('ServiceDown').length >= 2, 20_000, sidecar.output);
  assert.deepEqual(notices('ServiceDown'), ['firing', 'resolved']);
  assert.match(sidecar.output(), /RECOVERED: Payments after \d+ failed checks/);
});
